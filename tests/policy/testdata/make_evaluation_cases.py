#!/usr/bin/env python3
# Writes evaluation_cases.json (the policy evaluation table) from the rows below. Edit here and
# rerun: python3 tests/policy/testdata/make_evaluation_cases.py
import json
import os
A="111111111111"; B="222222222222"
CA=f"arn:aws:acm-pca:us-east-1:{A}:certificate-authority/11111111-2222-3333-4444-555555555555"
USER=f"arn:aws:iam::{A}:user/alice"
BOB=f"arn:aws:iam::{A}:user/bob"
BUSER=f"arn:aws:iam::{B}:user/carol"
ROLE=f"arn:aws:iam::{A}:role/ops/Operator"
SESSION=f"arn:aws:sts::{A}:assumed-role/Operator/s1"
BROLE=f"arn:aws:iam::{B}:role/Remote"
BSESSION=f"arn:aws:sts::{B}:assumed-role/Remote/r1"
TEMPLATE="arn:aws:acm-pca:::template/EndEntityCertificate/V1"

def st(effect="Allow", action="acm-pca:*", resource="*", cond=None, **kw):
    s={"Effect":effect,"Action":action}
    if resource is not None: s["Resource"]=resource
    if cond: s["Condition"]=cond
    s.update(kw)
    return s
def doc(*stmts, version="2012-10-17"):
    d={}
    if version: d["Version"]=version
    d["Statement"]=list(stmts)
    return d

user={"type":"User","arn":USER,"account":A}
session={"type":"AssumedRole","arn":SESSION,"role_arn":ROLE,"account":A}
root={"type":"Account","arn":f"arn:aws:iam::{A}:root","account":A}
broot={"type":"Account","arn":f"arn:aws:iam::{B}:root","account":B}
carol={"type":"User","arn":BUSER,"account":B}
bsession={"type":"AssumedRole","arn":BSESSION,"role_arn":BROLE,"account":B}
service={"type":"Service","arn":"acm.amazonaws.com"}
anon={"type":"Anonymous"}

cases=[]
def case(name, expect, reason=None, identity=None, **kw):
    c={"name":name}
    if identity is not None: c["identity"]=identity
    c.update(kw)
    c["decision"]=expect
    if reason: c["reason"]=reason
    elif expect=="allowed": c["reason"]="Allowed"
    cases.append(c)

ALLOW="allowed"; IMPL="implicitDeny"; EXPL="explicitDeny"
def cond_case(name, cond, context, expect, version="2012-10-17"):
    case(name, expect, None if expect==ALLOW else "NoIdentityAllow",
         identity=[doc(st(cond=cond), version=version)], context=context)

# ---- String operators
cond_case("StringEquals_match", {"StringEquals":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"blue"}, ALLOW)
cond_case("StringEquals_case_sensitive", {"StringEquals":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"Blue"}, IMPL)
cond_case("StringEquals_absent_key", {"StringEquals":{"aws:ResourceTag/project":"blue"}}, {}, IMPL)
cond_case("StringEquals_no_wildcards", {"StringEquals":{"aws:ResourceTag/project":"bl*"}}, {"aws:ResourceTag/project":"blue"}, IMPL)
cond_case("StringEquals_key_name_case_insensitive", {"StringEquals":{"AWS:ResourceTag/Project":"blue"}}, {"aws:resourcetag/project":"blue"}, ALLOW)
cond_case("StringEquals_values_or", {"StringEquals":{"aws:ResourceTag/project":["red","blue"]}}, {"aws:ResourceTag/project":"blue"}, ALLOW)
cond_case("StringEqualsIfExists_absent", {"StringEqualsIfExists":{"aws:ResourceTag/project":"blue"}}, {}, ALLOW)
cond_case("StringEqualsIfExists_present_mismatch", {"StringEqualsIfExists":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"red"}, IMPL)
cond_case("StringNotEquals_different", {"StringNotEquals":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"red"}, ALLOW)
cond_case("StringNotEquals_same", {"StringNotEquals":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"blue"}, IMPL)
cond_case("StringNotEquals_absent_is_true", {"StringNotEquals":{"aws:ResourceTag/project":"blue"}}, {}, ALLOW)
cond_case("StringNotEquals_values_none_may_match", {"StringNotEquals":{"aws:ResourceTag/project":["red","blue"]}}, {"aws:ResourceTag/project":"blue"}, IMPL)
cond_case("StringNotEquals_values_none_match", {"StringNotEquals":{"aws:ResourceTag/project":["red","blue"]}}, {"aws:ResourceTag/project":"green"}, ALLOW)
cond_case("StringNotEqualsIfExists_absent", {"StringNotEqualsIfExists":{"aws:ResourceTag/project":"blue"}}, {}, ALLOW)
cond_case("StringNotEqualsIfExists_present_same", {"StringNotEqualsIfExists":{"aws:ResourceTag/project":"blue"}}, {"aws:ResourceTag/project":"blue"}, IMPL)
cond_case("StringEqualsIgnoreCase_match", {"StringEqualsIgnoreCase":{"aws:ResourceTag/project":"BLUE"}}, {"aws:ResourceTag/project":"blue"}, ALLOW)
cond_case("StringEqualsIgnoreCase_absent", {"StringEqualsIgnoreCase":{"aws:ResourceTag/project":"BLUE"}}, {}, IMPL)
cond_case("StringEqualsIgnoreCaseIfExists_absent", {"StringEqualsIgnoreCaseIfExists":{"aws:ResourceTag/project":"BLUE"}}, {}, ALLOW)
cond_case("StringNotEqualsIgnoreCase_same", {"StringNotEqualsIgnoreCase":{"aws:ResourceTag/project":"BLUE"}}, {"aws:ResourceTag/project":"Blue"}, IMPL)
cond_case("StringNotEqualsIgnoreCase_absent", {"StringNotEqualsIgnoreCase":{"aws:ResourceTag/project":"BLUE"}}, {}, ALLOW)
cond_case("StringNotEqualsIgnoreCaseIfExists_different", {"StringNotEqualsIgnoreCaseIfExists":{"aws:ResourceTag/project":"BLUE"}}, {"aws:ResourceTag/project":"red"}, ALLOW)
cond_case("StringLike_star", {"StringLike":{"aws:ResourceTag/env":"prod-*"}}, {"aws:ResourceTag/env":"prod-eu/1"}, ALLOW)
cond_case("StringLike_question", {"StringLike":{"aws:ResourceTag/env":"prod-??"}}, {"aws:ResourceTag/env":"prod-eu"}, ALLOW)
cond_case("StringLike_question_one_char_only", {"StringLike":{"aws:ResourceTag/env":"prod-?"}}, {"aws:ResourceTag/env":"prod-eu"}, IMPL)
cond_case("StringLike_case_sensitive", {"StringLike":{"aws:ResourceTag/env":"prod-*"}}, {"aws:ResourceTag/env":"PROD-eu"}, IMPL)
cond_case("StringLike_absent", {"StringLike":{"aws:ResourceTag/env":"*"}}, {}, IMPL)
cond_case("StringLikeIfExists_absent", {"StringLikeIfExists":{"aws:ResourceTag/env":"prod-*"}}, {}, ALLOW)
cond_case("StringNotLike_matching", {"StringNotLike":{"aws:ResourceTag/env":"prod-*"}}, {"aws:ResourceTag/env":"prod-eu"}, IMPL)
cond_case("StringNotLike_not_matching", {"StringNotLike":{"aws:ResourceTag/env":"prod-*"}}, {"aws:ResourceTag/env":"dev"}, ALLOW)
cond_case("StringNotLike_absent", {"StringNotLike":{"aws:ResourceTag/env":"prod-*"}}, {}, ALLOW)
cond_case("StringNotLikeIfExists_matching", {"StringNotLikeIfExists":{"aws:ResourceTag/env":"prod-*"}}, {"aws:ResourceTag/env":"prod-1"}, IMPL)
cond_case("Conditions_keys_and", {"StringEquals":{"aws:ResourceTag/a":"1","aws:ResourceTag/b":"2"}}, {"aws:ResourceTag/a":"1","aws:ResourceTag/b":"3"}, IMPL)
cond_case("Conditions_operators_and", {"StringEquals":{"aws:ResourceTag/a":"1"},"Bool":{"aws:SecureTransport":"true"}}, {"aws:ResourceTag/a":"1","aws:SecureTransport":"false"}, IMPL)
cond_case("Conditions_all_true", {"StringEquals":{"aws:ResourceTag/a":"1"},"Bool":{"aws:SecureTransport":"true"}}, {"aws:ResourceTag/a":"1","aws:SecureTransport":"true"}, ALLOW)
cond_case("Condition_number_value_as_string", {"StringEquals":{"aws:ResourceTag/n":7}}, {"aws:ResourceTag/n":"7"}, ALLOW)
# ---- Numeric
cond_case("NumericEquals_match", {"NumericEquals":{"aws:MultiFactorAuthAge":"10"}}, {"aws:MultiFactorAuthAge":"10.0"}, ALLOW)
cond_case("NumericEquals_mismatch", {"NumericEquals":{"aws:MultiFactorAuthAge":"10"}}, {"aws:MultiFactorAuthAge":"11"}, IMPL)
cond_case("NumericEquals_not_a_number", {"NumericEquals":{"aws:MultiFactorAuthAge":"10"}}, {"aws:MultiFactorAuthAge":"ten"}, IMPL)
cond_case("NumericEquals_absent", {"NumericEquals":{"aws:MultiFactorAuthAge":"10"}}, {}, IMPL)
cond_case("NumericEqualsIfExists_absent", {"NumericEqualsIfExists":{"aws:MultiFactorAuthAge":"10"}}, {}, ALLOW)
cond_case("NumericNotEquals_different", {"NumericNotEquals":{"aws:MultiFactorAuthAge":"10"}}, {"aws:MultiFactorAuthAge":"9"}, ALLOW)
cond_case("NumericNotEquals_same", {"NumericNotEquals":{"aws:MultiFactorAuthAge":"10"}}, {"aws:MultiFactorAuthAge":"10"}, IMPL)
cond_case("NumericNotEquals_absent", {"NumericNotEquals":{"aws:MultiFactorAuthAge":"10"}}, {}, ALLOW)
cond_case("NumericNotEqualsIfExists_absent", {"NumericNotEqualsIfExists":{"aws:MultiFactorAuthAge":"10"}}, {}, ALLOW)
cond_case("NumericLessThan_true", {"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}, {"aws:MultiFactorAuthAge":"120"}, ALLOW)
cond_case("NumericLessThan_equal_is_false", {"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}, {"aws:MultiFactorAuthAge":"3600"}, IMPL)
cond_case("NumericLessThanIfExists_absent", {"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}, {}, ALLOW)
cond_case("NumericLessThanEquals_equal", {"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}, {"aws:MultiFactorAuthAge":"3600"}, ALLOW)
cond_case("NumericLessThanEquals_greater", {"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}, {"aws:MultiFactorAuthAge":"3601"}, IMPL)
cond_case("NumericLessThanEqualsIfExists_absent", {"NumericLessThanEqualsIfExists":{"aws:MultiFactorAuthAge":"1"}}, {}, ALLOW)
cond_case("NumericGreaterThan_true", {"NumericGreaterThan":{"aws:MultiFactorAuthAge":"1.5"}}, {"aws:MultiFactorAuthAge":"2"}, ALLOW)
cond_case("NumericGreaterThan_false", {"NumericGreaterThan":{"aws:MultiFactorAuthAge":"1.5"}}, {"aws:MultiFactorAuthAge":"-2"}, IMPL)
cond_case("NumericGreaterThanIfExists_absent", {"NumericGreaterThanIfExists":{"aws:MultiFactorAuthAge":"1"}}, {}, ALLOW)
cond_case("NumericGreaterThanEquals_equal", {"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"5"}}, {"aws:MultiFactorAuthAge":"5"}, ALLOW)
cond_case("NumericGreaterThanEquals_absent", {"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"5"}}, {}, IMPL)
cond_case("NumericGreaterThanEqualsIfExists_absent", {"NumericGreaterThanEqualsIfExists":{"aws:MultiFactorAuthAge":"5"}}, {}, ALLOW)
# ---- Date
cond_case("DateLessThan_iso", {"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}, {"aws:CurrentTime":"2026-12-06T21:00:00Z"}, ALLOW)
cond_case("DateLessThan_iso_false", {"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}, {"aws:CurrentTime":"2026-12-06T21:00:00Z"}, IMPL)
cond_case("DateLessThan_absent", {"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}, {}, IMPL)
cond_case("DateLessThanIfExists_absent", {"DateLessThanIfExists":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}, {}, ALLOW)
cond_case("DateGreaterThan_epoch_policy_value", {"DateGreaterThan":{"aws:EpochTime":"1767225600"}}, {"aws:EpochTime":"1796000000"}, ALLOW)
cond_case("DateGreaterThan_epoch_vs_iso", {"DateGreaterThan":{"aws:CurrentTime":"1767225600"}}, {"aws:CurrentTime":"2025-06-01T00:00:00Z"}, IMPL)
cond_case("DateGreaterThanIfExists_absent", {"DateGreaterThanIfExists":{"aws:CurrentTime":"2026-01-01"}}, {}, ALLOW)
cond_case("DateEquals_iso_and_epoch", {"DateEquals":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}, {"aws:TokenIssueTime":"1767225600"}, ALLOW)
cond_case("DateEquals_offset", {"DateEquals":{"aws:TokenIssueTime":"2026-01-01T01:00:00+01:00"}}, {"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}, ALLOW)
cond_case("DateEquals_fraction", {"DateEquals":{"aws:TokenIssueTime":"2026-01-01T00:00:00.500Z"}}, {"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}, IMPL)
cond_case("DateEqualsIfExists_absent", {"DateEqualsIfExists":{"aws:TokenIssueTime":"2026-01-01"}}, {}, ALLOW)
cond_case("DateNotEquals_different", {"DateNotEquals":{"aws:TokenIssueTime":"2026-01-01"}}, {"aws:TokenIssueTime":"2026-01-02T00:00:00Z"}, ALLOW)
cond_case("DateNotEquals_same_day_form", {"DateNotEquals":{"aws:TokenIssueTime":"2026-01-01"}}, {"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}, IMPL)
cond_case("DateNotEquals_absent", {"DateNotEquals":{"aws:TokenIssueTime":"2026-01-01"}}, {}, ALLOW)
cond_case("DateNotEqualsIfExists_absent", {"DateNotEqualsIfExists":{"aws:TokenIssueTime":"2026-01-01"}}, {}, ALLOW)
cond_case("DateLessThanEquals_equal", {"DateLessThanEquals":{"aws:CurrentTime":"2026-12-06T21:00:00Z"}}, {"aws:CurrentTime":"2026-12-06T21:00:00Z"}, ALLOW)
cond_case("DateLessThanEqualsIfExists_absent", {"DateLessThanEqualsIfExists":{"aws:CurrentTime":"2026-12-06"}}, {}, ALLOW)
cond_case("DateGreaterThanEquals_equal", {"DateGreaterThanEquals":{"aws:CurrentTime":"2026-12-06T21:00:00Z"}}, {"aws:CurrentTime":"2026-12-06T21:00:00Z"}, ALLOW)
cond_case("DateGreaterThanEquals_before", {"DateGreaterThanEquals":{"aws:CurrentTime":"2026-12-06T21:00:00Z"}}, {"aws:CurrentTime":"2026-12-06T20:59:59Z"}, IMPL)
cond_case("DateGreaterThanEqualsIfExists_absent", {"DateGreaterThanEqualsIfExists":{"aws:CurrentTime":"2026-12-06"}}, {}, ALLOW)
cond_case("Date_request_value_not_a_date", {"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}, {"aws:CurrentTime":"yesterday"}, IMPL)
# ---- Bool
cond_case("Bool_true", {"Bool":{"aws:SecureTransport":"true"}}, {"aws:SecureTransport":"true"}, ALLOW)
cond_case("Bool_json_boolean_value", {"Bool":{"aws:SecureTransport":True}}, {"aws:SecureTransport":"true"}, ALLOW)
cond_case("Bool_false_vs_true", {"Bool":{"aws:SecureTransport":"false"}}, {"aws:SecureTransport":"true"}, IMPL)
cond_case("Bool_absent", {"Bool":{"aws:MultiFactorAuthPresent":"false"}}, {}, IMPL)
cond_case("BoolIfExists_absent", {"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}, {}, ALLOW)
cond_case("BoolIfExists_present_mismatch", {"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}, {"aws:MultiFactorAuthPresent":"true"}, IMPL)
# ---- Binary
cond_case("BinaryEquals_match", {"BinaryEquals":{"test:blob":"QmluYXJ5VmFsdWU="}}, {"test:blob":"QmluYXJ5VmFsdWU="}, ALLOW)
cond_case("BinaryEquals_mismatch", {"BinaryEquals":{"test:blob":"QmluYXJ5VmFsdWU="}}, {"test:blob":"T3RoZXI="}, IMPL)
cond_case("BinaryEquals_absent", {"BinaryEquals":{"test:blob":"QmluYXJ5VmFsdWU="}}, {}, IMPL)
cond_case("BinaryEqualsIfExists_absent", {"BinaryEqualsIfExists":{"test:blob":"QmluYXJ5VmFsdWU="}}, {}, ALLOW)
# ---- IP
cond_case("IpAddress_v4_in", {"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}, {"aws:SourceIp":"10.1.2.3"}, ALLOW)
cond_case("IpAddress_v4_out", {"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}, {"aws:SourceIp":"192.168.1.1"}, IMPL)
cond_case("IpAddress_single_host", {"IpAddress":{"aws:SourceIp":"203.0.113.7"}}, {"aws:SourceIp":"203.0.113.7"}, ALLOW)
cond_case("IpAddress_v6_in", {"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}, {"aws:SourceIp":"2001:db8:1::5"}, ALLOW)
cond_case("IpAddress_v6_out", {"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}, {"aws:SourceIp":"2001:db9::5"}, IMPL)
cond_case("IpAddress_family_mismatch", {"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}, {"aws:SourceIp":"::1"}, IMPL)
cond_case("IpAddress_odd_prefix", {"IpAddress":{"aws:SourceIp":"192.168.0.0/23"}}, {"aws:SourceIp":"192.168.1.200"}, ALLOW)
cond_case("IpAddress_absent", {"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}, {}, IMPL)
cond_case("IpAddressIfExists_absent", {"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}, {}, ALLOW)
cond_case("NotIpAddress_out", {"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","172.16.0.0/12"]}}, {"aws:SourceIp":"192.168.1.1"}, ALLOW)
cond_case("NotIpAddress_in", {"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","172.16.0.0/12"]}}, {"aws:SourceIp":"172.20.0.1"}, IMPL)
cond_case("NotIpAddress_absent", {"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}, {}, ALLOW)
cond_case("NotIpAddressIfExists_in", {"NotIpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}, {"aws:SourceIp":"10.0.0.1"}, IMPL)
# ---- ARN
cond_case("ArnLike_template", {"ArnLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"}}, {"acm-pca:TemplateArn":TEMPLATE}, ALLOW)
cond_case("ArnLike_other_template", {"ArnLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"}}, {"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"}, IMPL)
cond_case("ArnLike_absent", {"ArnLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/*"}}, {}, IMPL)
cond_case("ArnLikeIfExists_absent", {"ArnLikeIfExists":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/*"}}, {}, ALLOW)
cond_case("ArnLike_star_does_not_cross_colon", {"ArnLike":{"aws:SourceArn":"arn:aws:s3:*:bucket"}}, {"aws:SourceArn":"arn:aws:s3:us-east-1:111111111111:bucket"}, IMPL)
cond_case("ArnLike_star_spans_slash_in_resource", {"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}, {"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ops/Operator"}, ALLOW)
cond_case("ArnLike_case_sensitive", {"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ops/*"}}, {"aws:PrincipalArn":"arn:aws:iam::111111111111:role/OPS/Operator"}, IMPL)
cond_case("ArnLike_request_not_an_arn", {"ArnLike":{"aws:SourceArn":"*"}}, {"aws:SourceArn":"not-an-arn"}, IMPL)
cond_case("ArnEquals_same_as_like", {"ArnEquals":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/*/V1"}}, {"acm-pca:TemplateArn":TEMPLATE}, ALLOW)
cond_case("ArnEqualsIfExists_absent", {"ArnEqualsIfExists":{"acm-pca:TemplateArn":TEMPLATE}}, {}, ALLOW)
cond_case("ArnNotLike_matching", {"ArnNotLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"}}, {"acm-pca:TemplateArn":TEMPLATE}, IMPL)
cond_case("ArnNotLike_absent", {"ArnNotLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"}}, {}, ALLOW)
cond_case("ArnNotLikeIfExists_other", {"ArnNotLikeIfExists":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"}}, {"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/RootCACertificate/V1"}, ALLOW)
cond_case("ArnNotEquals_matching", {"ArnNotEquals":{"acm-pca:TemplateArn":TEMPLATE}}, {"acm-pca:TemplateArn":TEMPLATE}, IMPL)
cond_case("ArnNotEqualsIfExists_absent", {"ArnNotEqualsIfExists":{"acm-pca:TemplateArn":TEMPLATE}}, {}, ALLOW)
# ---- Null
cond_case("Null_true_absent", {"Null":{"aws:TokenIssueTime":"true"}}, {}, ALLOW)
cond_case("Null_true_present", {"Null":{"aws:TokenIssueTime":"true"}}, {"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}, IMPL)
cond_case("Null_false_present", {"Null":{"aws:TokenIssueTime":"false"}}, {"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}, ALLOW)
cond_case("Null_false_absent", {"Null":{"aws:TokenIssueTime":"false"}}, {}, IMPL)
cond_case("Null_true_empty_list", {"Null":{"aws:TagKeys":"true"}}, {"aws:TagKeys":[]}, ALLOW)
# ---- Set operators
cond_case("ForAllValues_all_in", {"ForAllValues:StringEquals":{"aws:TagKeys":["project","env"]}}, {"aws:TagKeys":["env"]}, ALLOW)
cond_case("ForAllValues_one_out", {"ForAllValues:StringEquals":{"aws:TagKeys":["project","env"]}}, {"aws:TagKeys":["env","owner"]}, IMPL)
cond_case("ForAllValues_absent_is_true", {"ForAllValues:StringEquals":{"aws:TagKeys":["project","env"]}}, {}, ALLOW)
cond_case("ForAllValues_empty_is_true", {"ForAllValues:StringEquals":{"aws:TagKeys":["project","env"]}}, {"aws:TagKeys":[]}, ALLOW)
cond_case("ForAllValues_StringLike", {"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}}, {"aws:TagKeys":["team-a","team-b"]}, ALLOW)
cond_case("ForAllValues_StringNotLike_one_matches", {"ForAllValues:StringNotLike":{"aws:TagKeys":["aws:*"]}}, {"aws:TagKeys":["team","aws:x"]}, IMPL)
cond_case("ForAllValues_StringNotLike_none_match", {"ForAllValues:StringNotLike":{"aws:TagKeys":["aws:*"]}}, {"aws:TagKeys":["team","env"]}, ALLOW)
cond_case("ForAnyValue_one_in", {"ForAnyValue:StringEquals":{"aws:TagKeys":["project"]}}, {"aws:TagKeys":["env","project"]}, ALLOW)
cond_case("ForAnyValue_none_in", {"ForAnyValue:StringEquals":{"aws:TagKeys":["project"]}}, {"aws:TagKeys":["env"]}, IMPL)
cond_case("ForAnyValue_absent_is_false", {"ForAnyValue:StringEquals":{"aws:TagKeys":["project"]}}, {}, IMPL)
cond_case("ForAnyValue_empty_is_false", {"ForAnyValue:StringEquals":{"aws:TagKeys":["project"]}}, {"aws:TagKeys":[]}, IMPL)
cond_case("ForAnyValue_StringNotEquals_one_differs", {"ForAnyValue:StringNotEquals":{"aws:TagKeys":["project"]}}, {"aws:TagKeys":["project","env"]}, ALLOW)
cond_case("ForAnyValue_IfExists_absent", {"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["project"]}}, {}, ALLOW)
cond_case("ForAnyValue_PrincipalOrgPaths", {"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-abc/r-1/ou-1/*"]}}, {"aws:PrincipalOrgPaths":["o-abc/r-1/ou-1/ou-2/"]}, ALLOW)
cond_case("Multivalued_without_set_operator_any", {"StringEquals":{"aws:TagKeys":"env"}}, {"aws:TagKeys":["project","env"]}, ALLOW)
# ---- Policy variables
def var_case(name, stmt, context, expect, principal=None, resource=None, version="2012-10-17"):
    kw={"context":context}
    if principal: kw["principal"]=principal
    if resource:
        kw["resource"]=resource
        kw["action"]=stmt["Action"]
    case(name, expect, None if expect==ALLOW else "NoIdentityAllow", identity=[doc(stmt, version=version)], **kw)
ABAC={"StringEquals":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}"}}
var_case("Variable_abac_match", st(cond=ABAC), {"aws:ResourceTag/project":"blue","aws:PrincipalTag/project":"blue"}, ALLOW)
var_case("Variable_abac_mismatch", st(cond=ABAC), {"aws:ResourceTag/project":"blue","aws:PrincipalTag/project":"red"}, IMPL)
var_case("Variable_absent_does_not_match", st(cond=ABAC), {"aws:ResourceTag/project":"blue"}, IMPL)
var_case("Variable_absent_negated_matches_nothing", st(cond={"StringNotEquals":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}"}}), {"aws:ResourceTag/project":"blue"}, ALLOW)
var_case("Variable_key_case_insensitive", st(cond={"StringEquals":{"aws:ResourceTag/project":"${AWS:PrincipalTag/Project}"}}), {"aws:ResourceTag/project":"blue","aws:principaltag/project":"blue"}, ALLOW)
var_case("Variable_default_used", st(cond={"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'company-wide'}"}}), {"aws:ResourceTag/team":"company-wide"}, ALLOW)
var_case("Variable_default_not_used_when_present", st(cond={"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'company-wide'}"}}), {"aws:ResourceTag/team":"company-wide","aws:PrincipalTag/team":"red"}, IMPL)
var_case("Variable_default_with_quote", st(cond={"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'it''s'}"}}), {"aws:ResourceTag/team":"it's"}, ALLOW)
var_case("Variable_username_in_resource", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*"), {"aws:username":"alice"}, ALLOW, resource="arn:aws:s3:::home/alice/notes.txt")
var_case("Variable_username_in_resource_other_user", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*"), {"aws:username":"alice"}, IMPL, resource="arn:aws:s3:::home/bob/notes.txt")
var_case("Variable_absent_in_resource", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*"), {}, IMPL, resource="arn:aws:s3:::home/alice/notes.txt")
var_case("Variable_value_is_literal_not_wildcard", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:PrincipalTag/dir}/x"), {"aws:PrincipalTag/dir":"*"}, IMPL, resource="arn:aws:s3:::home/alice/x")
var_case("Variable_escape_star_literal", st(cond={"StringLike":{"aws:ResourceTag/name":"a${*}"}}), {"aws:ResourceTag/name":"a*"}, ALLOW)
var_case("Variable_escape_star_not_wildcard", st(cond={"StringLike":{"aws:ResourceTag/name":"a${*}"}}), {"aws:ResourceTag/name":"abc"}, IMPL)
var_case("Variable_escape_question_and_dollar", st(cond={"StringEquals":{"aws:ResourceTag/name":"${?}${$}"}}), {"aws:ResourceTag/name":"?$"}, ALLOW)
var_case("Variable_multivalued_key_unresolved", st(cond={"StringEquals":{"aws:ResourceTag/k":"${aws:TagKeys}"}}), {"aws:ResourceTag/k":"a","aws:TagKeys":["a"]}, IMPL)
var_case("Variable_in_StringLike_with_wildcards", st(cond={"StringLike":{"aws:ResourceTag/path":"${aws:username}/*"}}), {"aws:ResourceTag/path":"alice/docs","aws:username":"alice"}, ALLOW)
var_case("Variable_in_ArnLike", st(cond={"ArnLike":{"aws:SourceArn":"arn:aws:s3:::${aws:PrincipalTag/bucket}"}}), {"aws:SourceArn":"arn:aws:s3:::logs","aws:PrincipalTag/bucket":"logs"}, ALLOW)
var_case("Version_2008_variables_literal", st(cond={"StringEquals":{"aws:username":"${aws:username}"}}), {"aws:username":"alice"}, IMPL, version="2008-10-17")
var_case("Version_2008_literal_text_matches", st(cond={"StringEquals":{"aws:ResourceTag/t":"${aws:username}"}}), {"aws:ResourceTag/t":"${aws:username}","aws:username":"alice"}, ALLOW, version="2008-10-17")
var_case("Version_missing_is_2008", st(cond={"StringEquals":{"aws:ResourceTag/t":"${aws:username}"}}), {"aws:ResourceTag/t":"alice","aws:username":"alice"}, IMPL, version=None)
# ---- Action / Resource matching
def ar_case(name, stmt, expect, action=None, resource=None):
    kw={}
    if action: kw["action"]=action
    if resource: kw["resource"]=resource
    case(name, expect, None if expect==ALLOW else "NoIdentityAllow", identity=[doc(stmt)], **kw)
ar_case("Action_case_insensitive", st(action="ACM-PCA:issuecertificate"), ALLOW)
ar_case("Action_request_case_insensitive", st(action="acm-pca:IssueCertificate"), ALLOW, action="ACM-PCA:ISSUECERTIFICATE")
ar_case("Action_prefix_wildcard", st(action="acm-pca:Get*"), ALLOW, action="acm-pca:GetCertificate")
ar_case("Action_prefix_wildcard_other", st(action="acm-pca:Get*"), IMPL, action="acm-pca:IssueCertificate")
ar_case("Action_question_mark", st(action="acm-pca:?ssueCertificate"), ALLOW)
ar_case("Action_star_everything", st(action="*"), ALLOW, action="iam:CreateUser")
ar_case("Action_other_service", st(action="acm:*"), IMPL)
ar_case("Action_list", st(action=["acm-pca:GetCertificate","acm-pca:IssueCertificate"]), ALLOW)
ar_case("NotAction_allow_everything_else", st(action=None, NotAction="acm-pca:Delete*"), ALLOW)
ar_case("NotAction_listed_not_allowed", st(action=None, NotAction="acm-pca:Delete*"), IMPL, action="acm-pca:DeleteCertificateAuthority")
ar_case("Resource_exact", st(resource=CA), ALLOW)
ar_case("Resource_case_sensitive", st(resource=CA.upper().replace("ARN:AWS:ACM-PCA","arn:aws:acm-pca")), IMPL)
ar_case("Resource_star_spans_slash", st(resource=f"arn:aws:acm-pca:us-east-1:{A}:certificate-authority/*"), ALLOW, resource=CA+"/certificate/0123abcd")
ar_case("Resource_region_wildcard", st(resource=f"arn:aws:acm-pca:*:{A}:certificate-authority/*"), ALLOW)
ar_case("Resource_account_mismatch", st(resource=f"arn:aws:acm-pca:*:{B}:*"), IMPL)
ar_case("Resource_short_pattern", st(resource="arn:aws:acm-pca:*"), ALLOW)
ar_case("Resource_question_mark", st(resource=f"arn:aws:acm-pca:us-east-?:{A}:certificate-authority/*"), ALLOW)
ar_case("Resource_star_in_region_not_crossing_colon", st(resource=f"arn:aws:acm-pca:*:certificate-authority/*"), IMPL)
ar_case("Resource_no_resource_action_needs_star", st(resource=f"arn:aws:acm-pca:*:{A}:*"), IMPL, action="acm-pca:ListCertificateAuthorities", resource="*")
ar_case("Resource_star_for_no_resource_action", st(resource="*"), ALLOW, action="acm-pca:ListCertificateAuthorities", resource="*")
ar_case("NotResource_other", st(resource=None, NotResource=f"arn:aws:acm-pca:*:{A}:certificate-authority/other"), ALLOW)
ar_case("NotResource_listed", st(resource=None, NotResource=CA), IMPL)
for c in cases:
    if c["identity"] and isinstance(c["identity"][0],dict):
        for s in c["identity"][0]["Statement"]:
            if s.get("Action") is None and "NotAction" in s: s.pop("Action",None)
            if s.get("Resource") is None and "NotResource" in s: s.pop("Resource",None)

# ---- Evaluation steps
ALLOW_ALL=doc(st())
def ca_policy(principal, action="acm-pca:*", effect="Allow", cond=None, resource=CA):
    return doc(st(effect=effect, action=action, resource=resource, cond=cond, Principal=principal))
case("No_policies_implicit_deny", IMPL, "NoIdentityAllow", identity=[])
case("Identity_allow", ALLOW, identity=[ALLOW_ALL])
case("Identity_allow_in_second_policy", ALLOW, identity=[doc(st(action="acm:*")), ALLOW_ALL])
case("ExplicitDeny_identity", EXPL, "ExplicitDenyIdentity", identity=[ALLOW_ALL, doc(st(effect="Deny", action="acm-pca:IssueCertificate"))])
case("ExplicitDeny_identity_conditional_not_met", ALLOW, identity=[ALLOW_ALL, doc(st(effect="Deny", cond={"Bool":{"aws:SecureTransport":"false"}}))], context={"aws:SecureTransport":"true"})
case("ExplicitDeny_resource", EXPL, "ExplicitDenyResource", identity=[ALLOW_ALL], resource_policy=ca_policy("*", effect="Deny"), resource_account=A)
case("ExplicitDeny_resource_other_principal", ALLOW, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":BOB}, effect="Deny"), resource_account=A)
case("ExplicitDeny_scp", EXPL, "ExplicitDenyScp", identity=[ALLOW_ALL], scp_levels=[[ALLOW_ALL],[doc(st(effect="Deny", action="acm-pca:Issue*"))]])
case("ExplicitDeny_boundary", EXPL, "ExplicitDenyBoundary", identity=[ALLOW_ALL], permissions_boundary=doc(st(), st(effect="Deny", action="acm-pca:IssueCertificate")))
case("ExplicitDeny_session", EXPL, "ExplicitDenySession", principal=session, identity=[ALLOW_ALL], session_policies=[doc(st(effect="Deny"))])
case("ExplicitDeny_beats_resource_direct_allow", EXPL, "ExplicitDenyIdentity", identity=[doc(st(effect="Deny"))], resource_policy=ca_policy({"AWS":USER}), resource_account=A)
case("Scp_every_level_allows", ALLOW, identity=[ALLOW_ALL], scp_levels=[[ALLOW_ALL],[doc(st(action="acm-pca:*"))],[ALLOW_ALL]])
case("Scp_level_without_allow", IMPL, "NoScpAllow", identity=[ALLOW_ALL], scp_levels=[[ALLOW_ALL],[doc(st(action="acm-pca:Describe*"))]])
case("Scp_one_of_two_policies_at_level", ALLOW, identity=[ALLOW_ALL], scp_levels=[[doc(st(action="s3:*")), ALLOW_ALL]])
case("Scp_without_resource_element", ALLOW, identity=[ALLOW_ALL], scp_levels=[[doc(st(resource=None))]])
case("Scp_does_not_grant", IMPL, "NoIdentityAllow", identity=[], scp_levels=[[ALLOW_ALL]])
case("Scp_limits_resource_direct_allow", IMPL, "NoScpAllow", identity=[], resource_policy=ca_policy({"AWS":USER}), resource_account=A, scp_levels=[[doc(st(action="s3:*"))]])
case("Boundary_allows", ALLOW, identity=[ALLOW_ALL], permissions_boundary=doc(st(action="acm-pca:Issue*")))
case("Boundary_does_not_allow", IMPL, "NoBoundaryAllow", identity=[ALLOW_ALL], permissions_boundary=doc(st(action="acm-pca:Describe*")))
case("Boundary_does_not_grant", IMPL, "NoIdentityAllow", identity=[], permissions_boundary=ALLOW_ALL)
case("Session_policy_allows", ALLOW, principal=session, identity=[ALLOW_ALL], session_policies=[doc(st(action="acm-pca:IssueCertificate"))])
case("Session_policy_does_not_allow", IMPL, "NoSessionAllow", principal=session, identity=[ALLOW_ALL], session_policies=[doc(st(action="acm-pca:Describe*"))])
case("Session_policies_union", ALLOW, principal=session, identity=[ALLOW_ALL], session_policies=[doc(st(action="acm-pca:Describe*")), doc(st(action="acm-pca:Issue*"))])
case("Session_policy_does_not_grant", IMPL, "NoIdentityAllow", principal=session, identity=[], session_policies=[ALLOW_ALL])
# resource policy naming
case("Resource_names_user_same_account", ALLOW, identity=[], resource_policy=ca_policy({"AWS":USER}), resource_account=A)
case("Resource_names_user_ignores_boundary", ALLOW, identity=[], resource_policy=ca_policy({"AWS":USER}), resource_account=A, permissions_boundary=doc(st(action="s3:*")))
case("Resource_names_other_user", IMPL, "NoIdentityAllow", identity=[], resource_policy=ca_policy({"AWS":BOB}), resource_account=A)
case("Resource_names_session_ignores_session_policy", ALLOW, principal=session, identity=[], resource_policy=ca_policy({"AWS":SESSION}), resource_account=A, session_policies=[doc(st(action="s3:*"))])
case("Resource_names_role", ALLOW, principal=session, identity=[], resource_policy=ca_policy({"AWS":ROLE}), resource_account=A)
case("Resource_names_role_boundary_limits", IMPL, "NoBoundaryAllow", principal=session, identity=[], resource_policy=ca_policy({"AWS":ROLE}), resource_account=A, permissions_boundary=doc(st(action="s3:*")))
case("Resource_names_role_session_policy_limits", IMPL, "NoSessionAllow", principal=session, identity=[], resource_policy=ca_policy({"AWS":ROLE}), resource_account=A, session_policies=[doc(st(action="s3:*"))])
case("Resource_names_account_delegates_to_identity", IMPL, "NoIdentityAllow", identity=[], resource_policy=ca_policy({"AWS":A}), resource_account=A)
case("Resource_names_account_root_arn_identity_allows", ALLOW, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":f"arn:aws:iam::{A}:root"}), resource_account=A)
case("Resource_wildcard_principal_same_account", ALLOW, identity=[], resource_policy=ca_policy("*"), resource_account=A)
case("Resource_identity_or_resource_same_account", ALLOW, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":BOB}), resource_account=A)
case("Resource_condition_on_resource_policy", IMPL, "NoIdentityAllow", identity=[], resource_policy=ca_policy({"AWS":USER}, cond={"StringEquals":{"acm-pca:TemplateArn":TEMPLATE}}), resource_account=A)
case("NotPrincipal_deny_everyone_else", EXPL, "ExplicitDenyResource", principal={"type":"User","arn":BOB,"account":A}, identity=[ALLOW_ALL], resource_policy=doc(st(effect="Deny", resource=CA, NotPrincipal={"AWS":[USER, A]})), resource_account=A)
case("NotPrincipal_listed_with_account_not_denied", ALLOW, identity=[ALLOW_ALL], resource_policy=doc(st(effect="Deny", resource=CA, NotPrincipal={"AWS":[USER, f"arn:aws:iam::{A}:root"]})), resource_account=A)
case("NotPrincipal_listed_without_account_denied", EXPL, "ExplicitDenyResource", identity=[ALLOW_ALL], resource_policy=doc(st(effect="Deny", resource=CA, NotPrincipal={"AWS":[USER]})), resource_account=A)
case("NotPrincipal_role_session_exempt", ALLOW, principal=session, identity=[ALLOW_ALL], resource_policy=doc(st(effect="Deny", resource=CA, NotPrincipal={"AWS":[SESSION, A]})), resource_account=A)
# cross-account
case("CrossAccount_both_sides_allow", ALLOW, principal=carol, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":B}), resource_account=A)
case("CrossAccount_no_identity_allow", IMPL, "NoIdentityAllow", principal=carol, identity=[], resource_policy=ca_policy({"AWS":B}), resource_account=A)
case("CrossAccount_direct_name_still_needs_identity", IMPL, "NoIdentityAllow", principal=carol, identity=[], resource_policy=ca_policy({"AWS":BUSER}), resource_account=A)
case("CrossAccount_no_resource_policy", IMPL, "NoResourceAllow", principal=carol, identity=[ALLOW_ALL], resource_account=A)
case("CrossAccount_resource_names_other_account", IMPL, "NoResourceAllow", principal=carol, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":"333333333333"}), resource_account=A)
case("CrossAccount_org_condition", ALLOW, principal=carol, identity=[ALLOW_ALL], resource_policy=ca_policy("*", cond={"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}), resource_account=A, context={"aws:PrincipalOrgID":"o-abc123"})
case("CrossAccount_org_condition_other_org", IMPL, "NoResourceAllow", principal=carol, identity=[ALLOW_ALL], resource_policy=ca_policy("*", cond={"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}), resource_account=A, context={"aws:PrincipalOrgID":"o-zzz"})
case("CrossAccount_role_session_boundary", IMPL, "NoBoundaryAllow", principal=bsession, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":BROLE}), resource_account=A, permissions_boundary=doc(st(action="s3:*")))
case("CrossAccount_role_session_allowed", ALLOW, principal=bsession, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":BROLE}), resource_account=A)
case("CrossAccount_scp_of_caller", IMPL, "NoScpAllow", principal=carol, identity=[ALLOW_ALL], resource_policy=ca_policy({"AWS":B}), resource_account=A, scp_levels=[[doc(st(action="s3:*"))]])
case("CrossAccount_explicit_deny_resource", EXPL, "ExplicitDenyResource", principal=carol, identity=[ALLOW_ALL], resource_policy=doc(st(resource=CA, Principal={"AWS":B}), st(effect="Deny", action="acm-pca:IssueCertificate", resource=CA, Principal="*")), resource_account=A)
# root
case("Root_own_account_no_policies", ALLOW, principal=root, resource_account=A)
case("Root_own_account_scp_deny", EXPL, "ExplicitDenyScp", principal=root, resource_account=A, scp_levels=[[ALLOW_ALL, doc(st(effect="Deny"))]])
case("Root_own_account_scp_no_allow", IMPL, "NoScpAllow", principal=root, resource_account=A, scp_levels=[[doc(st(action="s3:*"))]])
case("Root_own_account_resource_deny", EXPL, "ExplicitDenyResource", principal=root, resource_policy=ca_policy({"AWS":A}, effect="Deny"), resource_account=A)
case("Root_global_action", ALLOW, principal=root, action="acm-pca:ListCertificateAuthorities", resource="*")
case("Root_other_account_named", ALLOW, principal=broot, resource_policy=ca_policy({"AWS":B}), resource_account=A)
case("Root_other_account_not_named", IMPL, "NoResourceAllow", principal=broot, resource_account=A)
# services and anonymous
case("Service_named", ALLOW, principal=service, resource_policy=ca_policy({"Service":"acm.amazonaws.com"}), resource_account=A)
case("Service_other_service_named", IMPL, "NoResourceAllow", principal=service, resource_policy=ca_policy({"Service":"s3.amazonaws.com"}), resource_account=A)
case("Service_wildcard_principal_not_enough", IMPL, "NoResourceAllow", principal=service, resource_policy=ca_policy("*"), resource_account=A)
case("Service_no_resource_policy", IMPL, "NoResourceAllow", principal=service, resource_account=A)
case("Service_deny_applies", EXPL, "ExplicitDenyResource", principal=service, resource_policy=doc(st(resource=CA, Principal={"Service":"acm.amazonaws.com"}), st(effect="Deny", resource=CA, Principal="*")), resource_account=A)
case("Anonymous_star", ALLOW, principal=anon, resource_policy=ca_policy("*"), resource_account=A)
case("Anonymous_aws_star", ALLOW, principal=anon, resource_policy=ca_policy({"AWS":"*"}), resource_account=A)
case("Anonymous_account_named", IMPL, "NoResourceAllow", principal=anon, resource_policy=ca_policy({"AWS":A}), resource_account=A)
case("Anonymous_no_policy", IMPL, "NoResourceAllow", principal=anon, identity=[ALLOW_ALL], resource_account=A)
# trust policies (AssumeRole: the role's trust policy is the resource policy)
TRUST_ROLE=f"arn:aws:iam::{A}:role/Target"
def trust(principal, action="sts:AssumeRole", cond=None):
    s={"Effect":"Allow","Principal":principal,"Action":action}
    if cond: s["Condition"]=cond
    return {"Version":"2012-10-17","Statement":[s]}
case("Trust_cross_account_assume", ALLOW, principal=carol, action="sts:AssumeRole", resource=TRUST_ROLE, resource_account=A, identity=[doc(st(action="sts:AssumeRole", resource=TRUST_ROLE))], resource_policy=trust({"AWS":f"arn:aws:iam::{B}:root"}), resource_kind="trust")
case("Trust_cross_account_no_identity", IMPL, "NoIdentityAllow", principal=carol, action="sts:AssumeRole", resource=TRUST_ROLE, resource_account=A, identity=[], resource_policy=trust({"AWS":B}), resource_kind="trust")
case("Trust_same_account_role_session_named", ALLOW, principal=session, action="sts:AssumeRole", resource=TRUST_ROLE, resource_account=A, identity=[], resource_policy=trust({"AWS":ROLE}), resource_kind="trust")
case("Trust_federated_web_identity", ALLOW, principal={"type":"Anonymous","identity_provider":"accounts.google.com"}, action="sts:AssumeRoleWithWebIdentity", resource=TRUST_ROLE, resource_account=A, resource_policy=trust({"Federated":"accounts.google.com"}, action="sts:AssumeRoleWithWebIdentity"), resource_kind="trust")
case("Trust_service_principal", ALLOW, principal={"type":"Service","arn":"ec2.amazonaws.com"}, action="sts:AssumeRole", resource=TRUST_ROLE, resource_account=A, resource_policy=trust({"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}), resource_kind="trust")

# ---- parse errors
parse=[]
def p(name, kind, document, error=None, message=None):
    r={"name":name,"kind":kind,"document":document}
    r["error"]=error
    if message: r["message"]=message
    parse.append(r)
M="MalformedPolicyDocument"
p("Valid_identity", "identity", ALLOW_ALL)
p("Valid_single_statement_object", "identity", {"Version":"2012-10-17","Statement":st()})
p("Valid_resource_policy_repeated_sid", "resource", doc(st(resource=CA, Principal={"AWS":A}, Sid="1"), st(resource=CA, Principal={"AWS":B}, Sid="1")))
p("Valid_scp_without_resource", "service-control", doc(st(resource=None)))
p("Valid_trust_policy", "trust", trust({"AWS":A}))
p("Valid_version_2008", "identity", doc(st(), version="2008-10-17"))
p("Malformed_json", "identity", '{"Version":"2012-10-17","Statement":[', M, "Syntax errors in policy.")
p("Not_an_object", "identity", '["Allow"]', M, "Syntax errors in policy.")
p("Unknown_top_level_field", "identity", {"Version":"2012-10-17","Statment":[st()]}, M)
p("Missing_statement", "identity", {"Version":"2012-10-17"}, M)
p("Bad_version", "identity", doc(st(), version="2012-10-18"), M, "The policy failed legacy parsing")
p("Missing_effect", "identity", doc({"Action":"acm-pca:*","Resource":"*"}), M, "Missing required field Effect")
p("Bad_effect_spelling", "identity", doc(st(effect="allow")), M)
p("Unknown_statement_field", "identity", doc(st(Actions="acm-pca:*")), M)
p("Principal_in_identity", "identity", doc(st(Principal="*")), M, "Has prohibited field Principal")
p("Principal_in_scp", "service-control", doc(st(Principal={"AWS":A})), M)
p("Principal_in_boundary", "permissions-boundary", doc(st(Principal="*")), M)
p("Principal_in_session", "session", doc(st(Principal="*")), M)
p("Missing_principal_in_resource", "resource", doc(st(resource=CA)), M, "Missing required field Principal")
p("Missing_principal_in_trust", "trust", {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}, M)
p("Resource_in_trust", "trust", doc(st(action="sts:AssumeRole", Principal={"AWS":A})), M, "Has prohibited field Resource")
p("Trust_non_sts_action", "trust", trust({"AWS":A}, action="s3:GetObject"), M, "AssumeRole policy may only specify STS AssumeRole actions.")
p("Invalid_principal_partial_wildcard", "resource", doc(st(resource=CA, Principal={"AWS":f"arn:aws:iam::{A}:user/*"})), M)
p("Invalid_principal_type", "resource", doc(st(resource=CA, Principal={"Aws":A})), M)
p("Invalid_principal_string", "resource", doc(st(resource=CA, Principal=A)), M)
p("Missing_action", "identity", doc({"Effect":"Allow","Resource":"*"}), M, "Policy statement must contain actions.")
p("Empty_action_list", "identity", doc(st(action=[])), M, "Policy statement must contain actions.")
p("Action_and_NotAction", "identity", doc(st(NotAction="s3:*")), M)
p("Action_without_vendor", "identity", doc(st(action="IssueCertificate")), M)
p("Action_two_colons", "identity", doc(st(action="acm-pca:Issue:Certificate")), M)
p("Missing_resource_identity", "identity", doc(st(resource=None)), M, "Policy statement must contain resources.")
p("Resource_not_arn", "identity", doc(st(resource="my-bucket")), M)
p("Unknown_condition_operator", "identity", doc(st(cond={"StringEqualz":{"aws:username":"a"}})), M, "Invalid Condition type : StringEqualz")
p("Operator_case_matters", "identity", doc(st(cond={"stringequals":{"aws:username":"a"}})), M)
p("Null_with_variable", "identity", doc(st(cond={"Null":{"aws:username":"${aws:PrincipalTag/x}"}})), M)
p("Null_IfExists_not_an_operator", "identity", doc(st(cond={"NullIfExists":{"aws:username":"true"}})), M)
p("Null_bad_value", "identity", doc(st(cond={"Null":{"aws:username":"maybe"}})), M)
p("Numeric_bad_value", "identity", doc(st(cond={"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}})), M)
p("Date_bad_value", "identity", doc(st(cond={"DateLessThan":{"aws:CurrentTime":"next week"}})), M)
p("Ip_bad_value", "identity", doc(st(cond={"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}})), M)
p("Bool_bad_value", "identity", doc(st(cond={"Bool":{"aws:SecureTransport":"yes"}})), M)
p("Binary_bad_value", "identity", doc(st(cond={"BinaryEquals":{"test:blob":"not base64!"}})), M)
p("Condition_key_without_vendor", "identity", doc(st(cond={"StringEquals":{"username":"a"}})), M)
p("Condition_value_object", "identity", doc(st(cond={"StringEquals":{"aws:username":{"a":"b"}}})), M)
p("Sid_not_alphanumeric_identity", "identity", doc(st(Sid="allow-all")), M)
p("Sid_duplicate_identity", "identity", doc(st(Sid="A"), st(Sid="A")), M)
p("Statement_not_object", "identity", {"Version":"2012-10-17","Statement":["Allow"]}, M)

out={"about":"Table of IAM policy evaluation cases, read by tests/policy/policy_table_test.cc. See README.md here for the row format.",
     "evaluation":cases,"parse":parse}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "evaluation_cases.json"), "w") as f:
    f.write("{\n")
    f.write(' "about": '+json.dumps(out["about"])+',\n')
    for key in ("evaluation","parse"):
        f.write(f' "{key}": [\n')
        rows=out[key]
        for i,r in enumerate(rows):
            f.write("  "+json.dumps(r)+(",\n" if i+1<len(rows) else "\n"))
        f.write(" ]"+(",\n" if key=="evaluation" else "\n"))
    f.write("}\n")
print(len(cases), len(parse))
