#include "api/protocols/query_protocol.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "api/errors.h"
#include "api/model_shapes.h"
#include "api/protocols/wire.h"
#include "api/protocols/xml_writer.h"

namespace openpca::api::protocols {
namespace {

using Json = nlohmann::json;
using ParamMap = std::map<std::string, std::string>;

constexpr int kMaxDepth = 32;
constexpr std::string_view kContentType = "text/xml";

std::string_view Or(std::string_view a, std::string_view b) { return a.empty() ? b : a; }

bool HasKeyUnder(const ParamMap& params, const std::string& prefix) {
  std::string dotted = prefix + ".";
  auto it = params.lower_bound(dotted);
  return it != params.end() && it->first.starts_with(dotted);
}

std::string Join(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return prefix + "." + std::string(name);
}

Status TypeError(const std::string& key, std::string_view what) {
  return Status(ErrorCode::kSerialization,
                "Value for parameter " + key + " is not " + std::string(what));
}

// Reads what the query serializer wrote for `shape` at `prefix`; leaves `out` null when absent.
class Reader {
 public:
  explicit Reader(const ParamMap& params) : params_(params) {}

  Status Read(const Shape& shape, bool flattened, const std::string& prefix, int depth,
              Json* out) {
    if (depth > kMaxDepth) return Status(ErrorCode::kSerialization, "input nests too deeply");
    switch (shape.type) {
      case ShapeType::kStructure:
        return ReadStructure(shape, prefix, depth, out);
      case ShapeType::kList:
        return ReadList(shape, flattened, prefix, depth, out);
      case ShapeType::kMap:
        return ReadMap(shape, flattened, prefix, depth, out);
      default:
        break;
    }
    auto it = params_.find(prefix);
    if (it == params_.end()) return Status::Ok();
    return ReadScalar(shape, it->first, it->second, out);
  }

 private:
  Status ReadStructure(const Shape& shape, const std::string& prefix, int depth, Json* out) {
    if (!prefix.empty() && !HasKeyUnder(params_, prefix)) return Status::Ok();
    Json obj = Json::object();
    for (const ShapeMember& m : shape.members) {
      Json v;
      RETURN_IF_ERROR(Read(*m.shape, m.flattened, Join(prefix, m.location_name), depth + 1, &v));
      if (!v.is_null()) obj[m.name] = std::move(v);
    }
    *out = std::move(obj);
    return Status::Ok();
  }

  Status ReadList(const Shape& shape, bool flattened, const std::string& prefix, int depth,
                  Json* out) {
    auto empty = params_.find(prefix);
    if (empty != params_.end() && empty->second.empty() && !HasKeyUnder(params_, prefix)) {
      *out = Json::array();  // "X=" is an empty list
      return Status::Ok();
    }
    std::string list_prefix;
    if (flattened) {
      list_prefix = prefix;
      if (!shape.member_location_name.empty()) {
        size_t dot = prefix.rfind('.');
        list_prefix = dot == std::string::npos
                          ? shape.member_location_name
                          : prefix.substr(0, dot + 1) + shape.member_location_name;
      }
    } else {
      list_prefix = Join(prefix, Or(shape.member_location_name, "member"));
    }
    if (!HasKeyUnder(params_, list_prefix)) return Status::Ok();
    Json arr = Json::array();
    for (size_t i = 1; i <= params_.size(); ++i) {
      Json v;
      RETURN_IF_ERROR(Read(*shape.member, shape.member->flattened,
                           list_prefix + "." + std::to_string(i), depth + 1, &v));
      if (v.is_null()) break;
      arr.push_back(std::move(v));
    }
    *out = std::move(arr);
    return Status::Ok();
  }

  Status ReadMap(const Shape& shape, bool flattened, const std::string& prefix, int depth,
                 Json* out) {
    auto empty = params_.find(prefix);
    if (empty != params_.end() && empty->second.empty() && !HasKeyUnder(params_, prefix)) {
      *out = Json::object();
      return Status::Ok();
    }
    std::string full = flattened ? prefix : Join(prefix, "entry");
    if (!HasKeyUnder(params_, full)) return Status::Ok();
    Json obj = Json::object();
    for (size_t i = 1; i <= params_.size(); ++i) {
      std::string entry = full + "." + std::to_string(i);
      auto key = params_.find(entry + "." + std::string(Or(shape.key_location_name, "key")));
      if (key == params_.end()) break;
      Json v;
      RETURN_IF_ERROR(Read(*shape.value, shape.value->flattened,
                           entry + "." + std::string(Or(shape.value_location_name, "value")),
                           depth + 1, &v));
      obj[key->second] = std::move(v);  // a missing value stays null: the validator reports it
    }
    *out = std::move(obj);
    return Status::Ok();
  }

  Status ReadScalar(const Shape& shape, const std::string& key, const std::string& text,
                    Json* out) {
    if (shape.type == ShapeType::kString || shape.type == ShapeType::kBlob) {
      *out = text;
      return Status::Ok();
    }
    std::string_view expected;
    switch (ParseTextScalar(shape, text, out, &expected)) {
      case TextScalar::kParsed:
        return Status::Ok();
      case TextScalar::kMalformed:
        return TypeError(key, expected);
      case TextScalar::kNotThisType:
        break;
    }
    return Status(ErrorCode::kSerialization, "unexpected parameter " + key);
  }

  const ParamMap& params_;
};

std::string ScalarText(const Shape& shape, const Json& v, std::string_view timestamp_format) {
  if (shape.type == ShapeType::kTimestamp) {
    std::optional<double> secs = TimestampSeconds(v);
    if (secs.has_value()) {
      if (timestamp_format == "unixTimestamp") return EpochJson(*secs).dump();
      if (timestamp_format == "rfc822") return FormatHttpDate(*secs);
      return FormatIso8601(*secs);
    }
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void WriteValue(XmlWriter& w, const Shape& shape, const Json& v, std::string_view name,
                bool flattened, std::string_view timestamp_format, int depth);

void WriteMembers(XmlWriter& w, const Shape& shape, const Json& v, int depth) {
  if (!v.is_object()) return;
  for (const ShapeMember& m : shape.members) {
    auto it = v.find(m.name);
    if (it == v.end() || it->is_null()) continue;
    WriteValue(w, *m.shape, *it, m.location_name, m.flattened, m.timestamp_format, depth + 1);
  }
}

void WriteValue(XmlWriter& w, const Shape& shape, const Json& v, std::string_view name,
                bool flattened, std::string_view timestamp_format, int depth) {
  if (depth > kMaxDepth) return;
  switch (shape.type) {
    case ShapeType::kStructure:
      w.Open(name);
      WriteMembers(w, shape, v, depth);
      w.Close();
      return;
    case ShapeType::kList: {
      if (!v.is_array()) return;
      if (flattened) {
        std::string_view element = Or(shape.member_location_name, name);
        for (const Json& e : v) {
          WriteValue(w, *shape.member, e, element, shape.member->flattened, {}, depth + 1);
        }
        return;
      }
      w.Open(name);
      std::string_view element = Or(shape.member_location_name, "member");
      for (const Json& e : v) {
        WriteValue(w, *shape.member, e, element, shape.member->flattened, {}, depth + 1);
      }
      w.Close();
      return;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return;
      std::string_view key_name = Or(shape.key_location_name, "key");
      std::string_view value_name = Or(shape.value_location_name, "value");
      if (!flattened) w.Open(name);
      for (const auto& [k, e] : v.items()) {
        w.Open(flattened ? name : std::string_view("entry"));
        w.Element(key_name, k);
        WriteValue(w, *shape.value, e, value_name, shape.value->flattened, {}, depth + 1);
        w.Close();
      }
      if (!flattened) w.Close();
      return;
    }
    default:
      w.Element(name, ScalarText(shape, v, timestamp_format));
      return;
  }
}

}  // namespace

QueryProtocol::QueryProtocol(const ServiceModel& model) : Protocol(model) {}

std::map<std::string, std::string> QueryProtocol::Params(const HttpRequest& request) {
  ParamMap params;
  for (FormParam& p : ParseForm(request.query)) params.emplace(std::move(p.name), std::move(p.value));
  if (!request.body.empty()) {
    std::string_view type = request.Header("content-type");
    if (type.empty() || type.find("x-www-form-urlencoded") != std::string_view::npos) {
      for (FormParam& p : ParseForm(request.body)) {
        params.emplace(std::move(p.name), std::move(p.value));
      }
    }
  }
  return params;
}

Result<DecodedCall> QueryProtocol::Parse(const HttpRequest& request) const {
  // WARNING: client input.
  ParamMap params = Params(request);
  auto action = params.find("Action");
  if (action == params.end() || action->second.empty()) {
    return Status(ErrorCode::kMissingAction, "Missing Action");
  }
  const OperationInfo* op = model().FindOperation(action->second);
  if (op == nullptr) {
    return Status(ErrorCode::kUnknownOperation,
                  "Could not find operation " + action->second + " for version " +
                      model().metadata().api_version);
  }
  DecodedCall call;
  call.operation = op->name;
  call.input = Json::object();
  if (op->input != nullptr) {
    Reader reader(params);
    RETURN_IF_ERROR(reader.Read(*op->input, false, "", 0, &call.input));
  }
  return call;
}

HttpResponse QueryProtocol::EncodeOutput(std::string_view operation, const nlohmann::json& output,
                                         std::string_view request_id) const {
  const OperationInfo* op = model().FindOperation(operation);
  OPENPCA_CHECK(op != nullptr);
  XmlWriter w;
  w.Open(std::string(operation) + "Response", model().metadata().xml_namespace);
  if (op->output != nullptr) {
    bool wrapped = !op->result_wrapper.empty();
    if (wrapped) w.Open(op->result_wrapper);
    WriteMembers(w, *op->output, output, 0);
    if (wrapped) w.Close();
  }
  w.Open("ResponseMetadata");
  w.Element("RequestId", request_id);
  w.Close();
  HttpResponse res;
  res.status = 200;
  res.headers.emplace_back("Content-Type", kContentType);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  res.body = w.Finish();
  return res;
}

HttpResponse QueryProtocol::EncodeError(const Status& status, std::string_view request_id) const {
  AwsError err = ErrorFor(service(), status);
  XmlWriter w;
  w.Open("ErrorResponse", model().metadata().xml_namespace);
  w.Open("Error");
  w.Element("Type", err.sender_fault ? "Sender" : "Receiver");
  w.Element("Code", err.name);
  w.Element("Message", ClientMessage(status));
  w.Close();
  w.Element("RequestId", request_id);
  HttpResponse res;
  res.status = err.http_status;
  res.headers.emplace_back("Content-Type", kContentType);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  res.body = w.Finish();
  return res;
}

bool QueryProtocol::Matches(const HttpRequest& request) const {
  return !OperationOf(request).empty();
}

std::string QueryProtocol::OperationOf(const HttpRequest& request) const {
  ParamMap params = Params(request);
  auto action = params.find("Action");
  if (action == params.end() || !model().HasOperation(action->second)) return {};
  return action->second;
}

}  // namespace openpca::api::protocols
