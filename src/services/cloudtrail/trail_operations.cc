#include "services/cloudtrail/trail_operations.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "audit/trail_layout.h"
#include "common/bucket_name.h"
#include "common/bytes.h"
#include "services/action_helpers.h"

namespace openpca::services::cloudtrail {
namespace {

using json = nlohmann::json;
using store::TrailRecord;

struct Env {
  TrailDeps deps;
};

std::optional<std::string> OptStr(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<bool> OptBool(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

Status TrailNotFound(const api::CallContext& ctx, std::string_view what) {
  return Status(ErrorCode::kTrailNotFound,
                "Unknown trail: " + std::string(what) + " for the user: " + ctx.account_id);
}

Status InvalidName(std::string_view name) {
  return Status(ErrorCode::kInvalidTrailName,
                "Trail name must starts with a letter or number, end with a letter or number, "
                "have a length between 3 and 128 characters, and contain only letters, numbers, "
                "periods, underscores and dashes; and must not be formatted as an IP address: " +
                    std::string(name));
}

// The trail `name_or_arn` names for the caller: by ARN (any region, the caller's account), or by
// name among the trails that appear in the caller's region (its own and shadow trails). `write`:
// the call changes the trail, which only its home region may do.
Result<TrailRecord> Resolve(Env& env, const api::CallContext& ctx, const std::string& name_or_arn,
                            bool write) {
  std::optional<TrailRecord> found;
  if (name_or_arn.starts_with("arn:")) {
    std::optional<audit::TrailArnParts> parts = audit::ParseTrailArn(name_or_arn);
    if (!parts.has_value()) {
      return Status(ErrorCode::kInvalidArn, "Invalid trail ARN: " + name_or_arn);
    }
    if (parts->account != ctx.account_id) return TrailNotFound(ctx, name_or_arn);
    ASSIGN_OR_RETURN(found, env.deps.trails->GetTrail(name_or_arn));
    if (found.has_value() && found->home_region != ctx.region && !found->multi_region) {
      found.reset();
    }
  } else {
    if (!audit::IsValidTrailName(name_or_arn)) return InvalidName(name_or_arn);
    ASSIGN_OR_RETURN(std::vector<TrailRecord> all, env.deps.trails->ListTrails(ctx.account_id));
    for (TrailRecord& t : all) {
      if (t.name == name_or_arn && (t.home_region == ctx.region || t.multi_region)) {
        found = std::move(t);
        break;
      }
    }
  }
  if (!found.has_value()) {
    std::string shown = name_or_arn.starts_with("arn:")
                            ? name_or_arn
                            : audit::TrailArn(PartitionOf(ctx), ctx.region, ctx.account_id,
                                              name_or_arn);
    return TrailNotFound(ctx, shown);
  }
  if (write && found->home_region != ctx.region) {
    return Status(ErrorCode::kInvalidHomeRegion,
                  "This operation must be called from the trail's home region (" +
                      found->home_region + ").");
  }
  return *found;
}

json TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json out = json::array();
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

// The members CreateTrail and UpdateTrail return.
json TrailOutput(const api::CallContext& ctx, const TrailRecord& t) {
  json out = {{"Name", t.name},
              {"S3BucketName", t.s3_bucket},
              {"IncludeGlobalServiceEvents", t.include_global_service_events},
              {"IsMultiRegionTrail", t.multi_region},
              {"TrailARN", t.arn},
              {"LogFileValidationEnabled", t.log_file_validation},
              {"IsOrganizationTrail", false}};
  if (!t.s3_key_prefix.empty()) out["S3KeyPrefix"] = t.s3_key_prefix;
  if (!t.sns_topic_name.empty()) {
    out["SnsTopicName"] = t.sns_topic_name;
    out["SnsTopicARN"] = "arn:" + PartitionOf(ctx) + ":sns:" + t.home_region + ":" +
                         t.account_id + ":" + t.sns_topic_name;
  }
  return out;
}

// The model's Trail structure.
json TrailJson(const api::CallContext& ctx, const TrailRecord& t) {
  json out = TrailOutput(ctx, t);
  out["HomeRegion"] = t.home_region;
  out["HasCustomEventSelectors"] = false;
  out["HasInsightSelectors"] = false;
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseTags(const json& input,
                                                                   const char* member) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = input.find(member);
  if (it == input.end() || !it->is_array()) return out;
  for (const json& tag : *it) {
    std::string key = tag.value("Key", "");
    std::string value = tag.value("Value", "");
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == key; });
    if (same != out.end()) {
      same->second = value;
    } else {
      out.emplace_back(std::move(key), std::move(value));
    }
  }
  return out;
}

Status CheckTagCount(size_t n) {
  if (n > kMaxTrailTags) {
    return Status(ErrorCode::kTooManyTags, "The number of tags exceeds the limit of 50.");
  }
  return Status::Ok();
}

// S3KeyPrefix: at most 200 characters that make a valid object key prefix.
Status CheckPrefix(const std::string& prefix) {
  bool ok = prefix.size() <= kMaxS3KeyPrefix && !prefix.starts_with("/") &&
            !prefix.ends_with("/") && prefix.find("//") == std::string::npos;
  for (unsigned char c : prefix) ok = ok && c >= 0x20 && c != 0x7f;
  if (!ok) {
    return Status(ErrorCode::kInvalidS3Prefix, "Invalid S3 prefix: " + prefix);
  }
  return Status::Ok();
}

// What openpca does not offer: SSE-KMS of log files, CloudWatch Logs, organization trails.
Status CheckUnsupported(const json& input) {
  for (const char* member : {"KmsKeyId", "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn"}) {
    if (std::optional<std::string> v = OptStr(input, member); v.has_value() && !v->empty()) {
      return Status(ErrorCode::kUnsupportedOperation,
                    std::string(member) + " is not supported by this endpoint");
    }
  }
  if (OptBool(input, "IsOrganizationTrail").value_or(false)) {
    return Status(ErrorCode::kUnsupportedOperation,
                  "Organization trails are not supported by this endpoint");
  }
  return Status::Ok();
}

Status CheckBucket(Env& env, const std::string& bucket, const std::string& prefix,
                   const std::string& account, const std::string& arn) {
  if (!IsValidBucketName(bucket)) {
    return Status(ErrorCode::kInvalidS3BucketName, "Bucket name is not valid: " + bucket);
  }
  if (!env.deps.check_bucket) return Status::Ok();
  return env.deps.check_bucket(bucket, prefix, account, arn);
}

Result<json> HandleCreateTrail(Env& env, const api::CallContext& ctx, const json& input) {
  std::string name = OptStr(input, "Name").value_or("");
  if (!audit::IsValidTrailName(name)) return InvalidName(name);
  RETURN_IF_ERROR(CheckUnsupported(input));
  TrailRecord t;
  t.name = name;
  t.account_id = ctx.account_id;
  t.home_region = ctx.region;
  t.arn = audit::TrailArn(PartitionOf(ctx), ctx.region, ctx.account_id, name);
  t.s3_bucket = OptStr(input, "S3BucketName").value_or("");
  t.s3_key_prefix = OptStr(input, "S3KeyPrefix").value_or("");
  t.sns_topic_name = OptStr(input, "SnsTopicName").value_or("");
  t.include_global_service_events = OptBool(input, "IncludeGlobalServiceEvents").value_or(true);
  t.multi_region = OptBool(input, "IsMultiRegionTrail").value_or(false);
  t.log_file_validation = OptBool(input, "EnableLogFileValidation").value_or(false);
  if (t.multi_region && !t.include_global_service_events) {
    return Status(ErrorCode::kInvalidParameterCombination,
                  "Multi-Region trail must include global service events.");
  }
  ASSIGN_OR_RETURN(t.tags, ParseTags(input, "TagsList"));
  RETURN_IF_ERROR(CheckTagCount(t.tags.size()));
  RETURN_IF_ERROR(CheckPrefix(t.s3_key_prefix));
  RETURN_IF_ERROR(CheckBucket(env, t.s3_bucket, t.s3_key_prefix, t.account_id, t.arn));
  t.created_ms = ToUnixMillis(env.deps.clock->Now());
  RETURN_IF_ERROR(env.deps.trails->InsertTrail(t, kMaxTrailsPerRegion));
  return TrailOutput(ctx, t);
}

Result<json> HandleUpdateTrail(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, Resolve(env, ctx, OptStr(input, "Name").value_or(""), true));
  RETURN_IF_ERROR(CheckUnsupported(input));
  TrailRecord updated = t;
  if (auto v = OptStr(input, "S3BucketName")) updated.s3_bucket = *v;
  if (auto v = OptStr(input, "S3KeyPrefix")) updated.s3_key_prefix = *v;
  if (auto v = OptStr(input, "SnsTopicName")) updated.sns_topic_name = *v;
  if (auto v = OptBool(input, "IncludeGlobalServiceEvents")) {
    updated.include_global_service_events = *v;
  }
  if (auto v = OptBool(input, "IsMultiRegionTrail")) updated.multi_region = *v;
  if (auto v = OptBool(input, "EnableLogFileValidation")) updated.log_file_validation = *v;
  if (updated.multi_region && !updated.include_global_service_events) {
    return Status(ErrorCode::kInvalidParameterCombination,
                  "Multi-Region trail must include global service events.");
  }
  RETURN_IF_ERROR(CheckPrefix(updated.s3_key_prefix));
  if (updated.s3_bucket != t.s3_bucket || updated.s3_key_prefix != t.s3_key_prefix) {
    RETURN_IF_ERROR(
        CheckBucket(env, updated.s3_bucket, updated.s3_key_prefix, t.account_id, t.arn));
  }
  RETURN_IF_ERROR(
      env.deps.trails->UpdateTrailConfig(updated, ToUnixMillis(env.deps.clock->Now())));
  if (env.deps.wake) env.deps.wake();
  return TrailOutput(ctx, updated);
}

Result<json> HandleDeleteTrail(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, Resolve(env, ctx, OptStr(input, "Name").value_or(""), true));
  RETURN_IF_ERROR(env.deps.trails->DeleteTrail(t.arn));
  return json::object();
}

Result<json> HandleSetLogging(Env& env, const api::CallContext& ctx, const json& input,
                              bool logging) {
  ASSIGN_OR_RETURN(TrailRecord t, Resolve(env, ctx, OptStr(input, "Name").value_or(""), true));
  RETURN_IF_ERROR(
      env.deps.trails->SetLogging(t.arn, logging, ToUnixMillis(env.deps.clock->Now())));
  if (env.deps.wake) env.deps.wake();
  return json::object();
}

Result<json> HandleGetTrail(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, Resolve(env, ctx, OptStr(input, "Name").value_or(""), false));
  return json{{"Trail", TrailJson(ctx, t)}};
}

Result<json> HandleGetTrailStatus(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, Resolve(env, ctx, OptStr(input, "Name").value_or(""), false));
  json out = {{"IsLogging", t.logging}};
  if (t.start_logging_ms > 0) {
    out["StartLoggingTime"] = Seconds(t.start_logging_ms);
    out["TimeLoggingStarted"] = audit::IsoSeconds(t.start_logging_ms);
  }
  if (t.stop_logging_ms > 0) {
    out["StopLoggingTime"] = Seconds(t.stop_logging_ms);
    out["TimeLoggingStopped"] = audit::IsoSeconds(t.stop_logging_ms);
  }
  if (t.latest_delivery_ms > 0) {
    out["LatestDeliveryTime"] = Seconds(t.latest_delivery_ms);
    out["LatestDeliveryAttemptTime"] = audit::IsoSeconds(t.latest_delivery_ms);
    out["LatestDeliveryAttemptSucceeded"] = audit::IsoSeconds(t.latest_delivery_ms);
  }
  if (t.latest_digest_delivery_ms > 0) {
    out["LatestDigestDeliveryTime"] = Seconds(t.latest_digest_delivery_ms);
  }
  if (!t.latest_delivery_error.empty()) out["LatestDeliveryError"] = t.latest_delivery_error;
  if (!t.latest_digest_delivery_error.empty()) {
    out["LatestDigestDeliveryError"] = t.latest_digest_delivery_error;
  }
  return out;
}

Result<json> HandleDescribeTrails(Env& env, const api::CallContext& ctx, const json& input) {
  const bool shadows = OptBool(input, "includeShadowTrails").value_or(true);
  ASSIGN_OR_RETURN(std::vector<TrailRecord> all, env.deps.trails->ListTrails(ctx.account_id));
  json list = json::array();
  auto names = input.find("trailNameList");
  if (names == input.end() || !names->is_array() || names->empty()) {
    for (const TrailRecord& t : all) {
      if (t.home_region == ctx.region || (shadows && t.multi_region)) {
        list.push_back(TrailJson(ctx, t));
      }
    }
    return json{{"trailList", std::move(list)}};
  }
  // Names match trails of the caller's region (shadow trails included); ARNs any trail of the
  // account. Names and ARNs that match nothing are left out.
  for (const json& entry : *names) {
    std::string wanted = entry.is_string() ? entry.get<std::string>() : std::string();
    if (wanted.starts_with("arn:")) {
      if (!audit::ParseTrailArn(wanted).has_value()) {
        return Status(ErrorCode::kInvalidArn, "Invalid trail ARN: " + wanted);
      }
    } else if (!audit::IsValidTrailName(wanted)) {
      return InvalidName(wanted);
    }
  }
  for (const TrailRecord& t : all) {
    bool visible = t.home_region == ctx.region || (shadows && t.multi_region);
    for (const json& entry : *names) {
      const std::string wanted = entry.get<std::string>();
      if (wanted == t.arn || (visible && wanted == t.name)) {
        list.push_back(TrailJson(ctx, t));
        break;
      }
    }
  }
  return json{{"trailList", std::move(list)}};
}

Result<json> HandleListTrails(Env& env, const api::CallContext& ctx, const json&) {
  ASSIGN_OR_RETURN(std::vector<TrailRecord> all, env.deps.trails->ListTrails(ctx.account_id));
  json trails = json::array();
  for (const TrailRecord& t : all) {
    trails.push_back({{"TrailARN", t.arn}, {"Name", t.name}, {"HomeRegion", t.home_region}});
  }
  return json{{"Trails", std::move(trails)}};
}

Result<json> HandleListPublicKeys(Env& env, const api::CallContext& ctx, const json& input) {
  const double now = Seconds(ToUnixMillis(env.deps.clock->Now()));
  auto number = [&](const char* member) -> std::optional<double> {
    auto it = input.find(member);
    if (it == input.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  double end = number("EndTime").value_or(now);
  double start = number("StartTime").value_or(std::min(now, end));
  if (start > end) {
    return Status(ErrorCode::kInvalidTimeRange,
                  "Start time must be earlier than end time in the request.");
  }
  ASSIGN_OR_RETURN(std::vector<store::DigestKeyRecord> keys,
                   env.deps.trails->ListDigestKeys(ctx.region));
  json list = json::array();
  for (const store::DigestKeyRecord& k : keys) {
    // Every key whose validity window overlaps [start, end].
    if (static_cast<double>(k.valid_from_s) > end || static_cast<double>(k.valid_to_s) < start) {
      continue;
    }
    list.push_back({{"Value", Base64Encode(k.public_key_pkcs1_der)},
                    {"ValidityStartTime", k.valid_from_s},
                    {"ValidityEndTime", k.valid_to_s},
                    {"Fingerprint", k.fingerprint}});
  }
  return json{{"PublicKeyList", std::move(list)}};
}

// The account's trail a tagging call names by ARN.
Result<TrailRecord> TaggedTrail(Env& env, const api::CallContext& ctx, const std::string& arn) {
  std::optional<audit::TrailArnParts> parts = audit::ParseTrailArn(arn);
  if (!parts.has_value()) return Status(ErrorCode::kInvalidArn, "Invalid trail ARN: " + arn);
  std::optional<TrailRecord> t;
  if (parts->account == ctx.account_id) {
    ASSIGN_OR_RETURN(t, env.deps.trails->GetTrail(arn));
  }
  if (!t.has_value()) {
    return Status(ErrorCode::kResourceNotFound, "Resource not found: " + arn);
  }
  return *t;
}

Result<json> HandleAddTags(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, TaggedTrail(env, ctx, OptStr(input, "ResourceId").value_or("")));
  ASSIGN_OR_RETURN(auto added, ParseTags(input, "TagsList"));
  auto tags = t.tags;
  for (auto& [k, v] : added) {
    auto same = std::find_if(tags.begin(), tags.end(), [&](const auto& p) { return p.first == k; });
    if (same != tags.end()) {
      same->second = v;
    } else {
      tags.emplace_back(k, v);
    }
  }
  RETURN_IF_ERROR(CheckTagCount(tags.size()));
  RETURN_IF_ERROR(env.deps.trails->SetTags(t.arn, tags));
  return json::object();
}

Result<json> HandleRemoveTags(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(TrailRecord t, TaggedTrail(env, ctx, OptStr(input, "ResourceId").value_or("")));
  auto tags = t.tags;
  if (auto it = input.find("TagsList"); it != input.end() && it->is_array()) {
    for (const json& tag : *it) {
      std::string key = tag.value("Key", "");
      std::erase_if(tags, [&](const auto& p) { return p.first == key; });
    }
  }
  RETURN_IF_ERROR(env.deps.trails->SetTags(t.arn, tags));
  return json::object();
}

Result<json> HandleListTags(Env& env, const api::CallContext& ctx, const json& input) {
  json out = json::array();
  if (auto it = input.find("ResourceIdList"); it != input.end() && it->is_array()) {
    for (const json& id : *it) {
      ASSIGN_OR_RETURN(TrailRecord t,
                       TaggedTrail(env, ctx, id.is_string() ? id.get<std::string>() : ""));
      out.push_back({{"ResourceId", t.arn}, {"TagsList", TagsJson(t.tags)}});
    }
  }
  return json{{"ResourceTagList", std::move(out)}};
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> TrailOperations(TrailDeps deps) {
  OPENPCA_CHECK(deps.trails != nullptr && deps.clock != nullptr);
  auto env = std::make_shared<Env>(Env{std::move(deps)});
  auto bind = [env](Result<json> (*fn)(Env&, const api::CallContext&, const json&)) {
    return [env, fn](const api::CallContext& ctx, const json& input) {
      return fn(*env, ctx, input);
    };
  };
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  ops.emplace_back("CreateTrail", bind(&HandleCreateTrail));
  ops.emplace_back("UpdateTrail", bind(&HandleUpdateTrail));
  ops.emplace_back("DeleteTrail", bind(&HandleDeleteTrail));
  ops.emplace_back("GetTrail", bind(&HandleGetTrail));
  ops.emplace_back("GetTrailStatus", bind(&HandleGetTrailStatus));
  ops.emplace_back("DescribeTrails", bind(&HandleDescribeTrails));
  ops.emplace_back("ListTrails", bind(&HandleListTrails));
  ops.emplace_back("ListPublicKeys", bind(&HandleListPublicKeys));
  ops.emplace_back("AddTags", bind(&HandleAddTags));
  ops.emplace_back("RemoveTags", bind(&HandleRemoveTags));
  ops.emplace_back("ListTags", bind(&HandleListTags));
  ops.emplace_back("StartLogging", [env](const api::CallContext& ctx, const json& input) {
    return HandleSetLogging(*env, ctx, input, true);
  });
  ops.emplace_back("StopLogging", [env](const api::CallContext& ctx, const json& input) {
    return HandleSetLogging(*env, ctx, input, false);
  });
  return ops;
}

}  // namespace openpca::services::cloudtrail
