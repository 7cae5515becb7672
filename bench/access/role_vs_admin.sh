#!/usr/bin/env bash
# IssueCertificate over HTTP as an ABAC role versus as the administrator, same server, same run.
#
# The role has 10 attached customer-managed policies of 10 statements each (ABAC conditions:
# aws:ResourceTag/project = ${aws:PrincipalTag/project}, acm-pca:TemplateArn, aws:RequestedRegion)
# and is assumed with the session tag project=alpha; the CA is tagged project=alpha and has a CA
# policy too. Rounds alternate admin / role so that drift of the machine hits both alike.
#
# Usage: bench/access/role_vs_admin.sh [BUILD_DIR]     (default: <repo>/build)
# Environment: OPENPCA_BENCH_SECONDS (per run, default 8, at most 60), OPENPCA_BENCH_ROUNDS
# (default 2), OPENPCA_BENCH_CONCURRENCY (default 32). Loopback only; bounded by `timeout`; the
# server and its temporary directory are removed on every exit path. Prints figures, judges nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
seconds="${OPENPCA_BENCH_SECONDS:-8}"
rounds="${OPENPCA_BENCH_ROUNDS:-2}"
concurrency="${OPENPCA_BENCH_CONCURRENCY:-32}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 || seconds > 60 )); then
  echo "role_vs_admin.sh: OPENPCA_BENCH_SECONDS must be 1..60" >&2
  exit 2
fi
server_bin="$build/src/server/openpca"
loadgen="$build/bench/issuance/openpca_loadgen"
for b in "$server_bin" "$loadgen"; do
  [[ -x "$b" ]] || { echo "role_vs_admin.sh: $b not built (ninja -C $build)" >&2; exit 2; }
done

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

data="$tmp/data"
"$server_bin" serve --listen 127.0.0.1:0 --data-dir "$data" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do [[ -s "$data/endpoint" ]] && break; sleep 0.05; done
endpoint="$(head -n1 "$data/endpoint")"
export AWS_SHARED_CREDENTIALS_FILE="$data/credentials" AWS_CONFIG_FILE=/dev/null \
  AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
aws() { timeout 60 /usr/bin/aws "$@" --endpoint-url "$endpoint" --output json; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

ca_arn="$(timeout 120 "$loadgen" --endpoint "$endpoint" --credentials "$data/credentials" \
  --create-ca --requests 1 --concurrency 1 --verify-sample 0 | sed -n 's/^created and activated CA: //p')"
aws acm-pca tag-certificate-authority --certificate-authority-arn "$ca_arn" \
  --tags Key=project,Value=alpha >/dev/null
account="$(aws sts get-caller-identity | json 'd["Account"]')"

# A CA policy (the resource side of every decision) naming the account.
cat >"$tmp/ca-policy.json" <<EOF
{"Version":"2012-10-17","Statement":[{"Sid":"1","Effect":"Allow",
 "Principal":{"AWS":"$account"},"Action":["acm-pca:DescribeCertificateAuthority",
 "acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions",
 "acm-pca:ListTags"],"Resource":"$ca_arn"},
 {"Sid":"2","Effect":"Allow","Principal":{"AWS":"$account"},"Action":"acm-pca:IssueCertificate",
 "Resource":"$ca_arn","Condition":{"StringEquals":{"acm-pca:TemplateArn":
 "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}]}
EOF
aws acm-pca put-policy --resource-arn "$ca_arn" --policy "file://$tmp/ca-policy.json" >/dev/null

cat >"$tmp/trust.json" <<EOF
{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"AWS":"arn:aws:iam::$account:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}
EOF
aws iam create-role --role-name bench-issuer --assume-role-policy-document "file://$tmp/trust.json" >/dev/null
for p in $(seq 1 10); do
  python3 - "$tmp/policy-$p.json" "$p" <<'EOF'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
statements = []
for s in range(10):
    # Nine statements that never match this call (other projects, actions, regions), then the one
    # that allows it in the last policy: every statement is evaluated.
    allow = n == 10 and s == 9
    statements.append({
        "Sid": f"P{n}S{s}",
        "Effect": "Allow",
        "Action": ["acm-pca:IssueCertificate", "acm-pca:GetCertificate",
                   "acm-pca:GetCertificateAuthorityCertificate"] if allow
                  else [f"acm-pca:Describe*", f"acm-pca:List{s}*"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:ResourceTag/project": "${aws:PrincipalTag/project}"
                             if allow else f"other-{n}-{s}"},
            "StringEqualsIfExists": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
            "ArnLikeIfExists": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntity*"},
        },
    })
json.dump({"Version": "2012-10-17", "Statement": statements}, open(path, "w"))
EOF
  arn="$(aws iam create-policy --policy-name "bench-$p" --policy-document "file://$tmp/policy-$p.json" | json 'd["Policy"]["Arn"]')"
  aws iam attach-role-policy --role-name bench-issuer --policy-arn "$arn" >/dev/null
done
session="$(aws sts assume-role --role-arn "arn:aws:iam::$account:role/bench-issuer" \
  --role-session-name bench --tags Key=project,Value=alpha --duration-seconds 3600)"
akid="$(echo "$session" | json 'd["Credentials"]["AccessKeyId"]')"
secret="$(echo "$session" | json 'd["Credentials"]["SecretAccessKey"]')"
token="$(echo "$session" | json 'd["Credentials"]["SessionToken"]')"

echo "=== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "=== server $endpoint, CA $ca_arn; role: 10 policies x 10 statements + CA policy"
run() {
  local who="$1"; shift
  echo "--- $who"
  timeout $((seconds + 120)) "$loadgen" --endpoint "$endpoint" --ca-arn "$ca_arn" \
    --concurrency "$concurrency" --duration "$seconds" --verify-sample 20 "$@" |
    grep -E "^(ok|errors|throughput|issued|verify):|latency_ms" || true
}
for r in $(seq 1 "$rounds"); do
  echo "=== round $r"
  run administrator --credentials "$data/credentials"
  run "role (ABAC, session tag)" --access-key "$akid" --secret "$secret" --session-token "$token"
done
