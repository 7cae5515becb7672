#include "api/protocols/rest_json_protocol.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "api/canonical_request.h"
#include "api/errors.h"
#include "api/model_shapes.h"
#include "api/protocols/wire.h"
#include "common/bytes.h"
#include "common/json_text.h"

namespace openpca::api::protocols {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 32;
constexpr std::string_view kContentType = "application/json";

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // "/" and "/a/" end in an empty segment that carries no meaning.
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

Status TypeError(std::string_view where, std::string_view what) {
  return Status(ErrorCode::kSerialization,
                "Value of " + std::string(where) + " is not " + std::string(what));
}

// A scalar from its text in a URI label, query string or header.
Status ScalarFromText(const Shape& shape, std::string_view where, const std::string& text,
                      bool json_value, Json* out) {
  std::string_view expected;
  switch (ParseTextScalar(shape, text, out, &expected)) {
    case TextScalar::kParsed:
      return Status::Ok();
    case TextScalar::kMalformed:
      return TypeError(where, expected);
    case TextScalar::kNotThisType:
      if (json_value) {
        std::optional<Bytes> decoded = Base64Decode(text);
        if (!decoded.has_value()) return TypeError(where, "base64-encoded JSON");
        *out = std::string(decoded->begin(), decoded->end());
        return Status::Ok();
      }
      *out = text;
      return Status::Ok();
  }
  return Status::Ok();  // unreachable: every enumerator returns
}

// Body JSON (wire names) → model names; timestamps in string form → epoch seconds.
Status BodyToModel(const Shape& shape, const Json& wire, int depth, Json* out) {
  if (depth > kMaxDepth) return Status(ErrorCode::kSerialization, "input nests too deeply");
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!wire.is_object()) {
        *out = wire;  // the validator names the type error
        return Status::Ok();
      }
      Json obj = Json::object();
      for (const ShapeMember& m : shape.members) {
        if (m.location != MemberLocation::kBody) continue;
        auto it = wire.find(m.location_name);
        if (it == wire.end()) continue;
        Json v;
        RETURN_IF_ERROR(BodyToModel(*m.shape, *it, depth + 1, &v));
        obj[m.name] = std::move(v);
      }
      *out = std::move(obj);
      return Status::Ok();
    }
    case ShapeType::kList: {
      if (!wire.is_array()) break;
      Json arr = Json::array();
      for (const Json& e : wire) {
        Json v;
        RETURN_IF_ERROR(BodyToModel(*shape.member, e, depth + 1, &v));
        arr.push_back(std::move(v));
      }
      *out = std::move(arr);
      return Status::Ok();
    }
    case ShapeType::kMap: {
      if (!wire.is_object()) break;
      Json obj = Json::object();
      for (const auto& [k, e] : wire.items()) {
        Json v;
        RETURN_IF_ERROR(BodyToModel(*shape.value, e, depth + 1, &v));
        obj[k] = std::move(v);
      }
      *out = std::move(obj);
      return Status::Ok();
    }
    case ShapeType::kTimestamp:
      if (wire.is_string()) {
        std::optional<double> secs = ParseTimestamp(wire.get_ref<const std::string&>());
        if (!secs.has_value()) return Status(ErrorCode::kSerialization, "bad timestamp");
        *out = EpochJson(*secs);
        return Status::Ok();
      }
      break;
    default:
      break;
  }
  *out = wire;
  return Status::Ok();
}

// Model names → body JSON (wire names) for the body members of `shape`; timestamps per format.
Json ModelToBody(const Shape& shape, const Json& v, std::string_view timestamp_format, int depth) {
  if (depth > kMaxDepth) return Json();
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return v;
      Json obj = Json::object();
      for (const ShapeMember& m : shape.members) {
        if (m.location != MemberLocation::kBody) continue;
        auto it = v.find(m.name);
        if (it == v.end() || it->is_null()) continue;
        obj[m.location_name] = ModelToBody(*m.shape, *it, m.timestamp_format, depth + 1);
      }
      return obj;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return v;
      Json arr = Json::array();
      for (const Json& e : v) arr.push_back(ModelToBody(*shape.member, e, {}, depth + 1));
      return arr;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return v;
      Json obj = Json::object();
      for (const auto& [k, e] : v.items()) obj[k] = ModelToBody(*shape.value, e, {}, depth + 1);
      return obj;
    }
    case ShapeType::kTimestamp: {
      std::optional<double> secs = TimestampSeconds(v);
      if (!secs.has_value()) return v;
      if (timestamp_format == "iso8601") return FormatIso8601(*secs);
      if (timestamp_format == "rfc822") return FormatHttpDate(*secs);
      return EpochJson(*secs);
    }
    default:
      return v;
  }
}

std::string HeaderText(const ShapeMember& m, const Json& v) {
  if (m.shape->type == ShapeType::kTimestamp) {
    std::optional<double> secs = TimestampSeconds(v);
    if (secs.has_value()) {
      if (m.timestamp_format == "iso8601") return FormatIso8601(*secs);
      if (m.timestamp_format == "unixTimestamp") return EpochJson(*secs).dump();
      return FormatHttpDate(*secs);
    }
  }
  if (m.json_value) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    return Base64Encode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                                                 text.size()));
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

RestJsonProtocol::RestJsonProtocol(const ServiceModel& model) : Protocol(model) {
  for (const std::string& name : model.OperationNames()) {
    const OperationInfo* op = model.FindOperation(name);
    Route route;
    route.op = op;
    std::string_view uri = op->request_uri;
    size_t q = uri.find('?');
    if (q != std::string_view::npos) {
      for (const FormParam& p : ParseForm(uri.substr(q + 1))) route.required_query.push_back(p.name);
      uri = uri.substr(0, q);
    }
    for (std::string_view seg : SplitPath(uri)) {
      if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
        std::string_view label = seg.substr(1, seg.size() - 2);
        if (label.ends_with('+')) {
          route.segments.push_back({Segment::kGreedy, std::string(label.substr(0, label.size() - 1))});
        } else {
          route.segments.push_back({Segment::kLabel, std::string(label)});
        }
      } else {
        route.segments.push_back({Segment::kLiteral, std::string(seg)});
        ++route.literal_count;
      }
    }
    routes_.push_back(std::move(route));
  }
}

const RestJsonProtocol::Route* RestJsonProtocol::FindRoute(
    const HttpRequest& request, std::vector<std::pair<std::string, std::string>>* labels) const {
  std::vector<std::string_view> path = SplitPath(request.path);
  std::vector<FormParam> query;
  bool query_parsed = false;
  const Route* best = nullptr;
  std::vector<std::pair<std::string, std::string>> best_labels;
  for (const Route& r : routes_) {
    if (r.op->http_method != request.method) continue;
    if (best != nullptr && r.literal_count <= best->literal_count) continue;
    std::vector<std::pair<std::string, std::string>> found;
    bool ok = true;
    size_t i = 0;
    for (; i < r.segments.size() && ok; ++i) {
      const Segment& s = r.segments[i];
      if (s.kind == Segment::kGreedy) {
        if (i >= path.size()) {
          ok = false;
          break;
        }
        std::string rest;
        for (size_t j = i; j < path.size(); ++j) {
          if (j > i) rest.push_back('/');
          rest += sigv4::PercentDecode(path[j]);
        }
        found.emplace_back(s.text, std::move(rest));
        i = path.size();
        break;
      }
      if (i >= path.size()) {
        ok = false;
      } else if (s.kind == Segment::kLiteral) {
        ok = path[i] == s.text;
      } else {
        std::string value = sigv4::PercentDecode(path[i]);
        ok = !value.empty();
        found.emplace_back(s.text, std::move(value));
      }
    }
    if (!ok || i != path.size()) continue;
    if (!r.required_query.empty()) {
      if (!query_parsed) {
        query = ParseForm(request.query);
        query_parsed = true;
      }
      for (const std::string& key : r.required_query) {
        bool present = false;
        for (const FormParam& p : query) present = present || p.name == key;
        ok = ok && present;
      }
      if (!ok) continue;
    }
    best = &r;
    best_labels = std::move(found);
  }
  if (best != nullptr && labels != nullptr) *labels = std::move(best_labels);
  return best;
}

Result<DecodedCall> RestJsonProtocol::Parse(const HttpRequest& request) const {
  std::vector<std::pair<std::string, std::string>> labels;
  const Route* route = FindRoute(request, &labels);
  if (route == nullptr) return Status(ErrorCode::kUnknownOperation, "Unknown operation");
  DecodedCall call;
  call.operation = route->op->name;
  call.input = Json::object();
  const Shape* shape = route->op->input;
  if (shape == nullptr) return call;

  // WARNING: client input from here on.
  bool has_body = false;
  for (const ShapeMember& m : shape->members) has_body = has_body || m.location == MemberLocation::kBody;
  if (has_body && !request.body.empty()) {
    Json wire = Json::parse(request.body, nullptr, false);
    if (wire.is_discarded() || !wire.is_object()) {
      return Status(ErrorCode::kSerialization, "Request body must be a JSON object");
    }
    RETURN_IF_ERROR(BodyToModel(*shape, wire, 0, &call.input));
  }

  std::vector<FormParam> query;
  bool query_parsed = false;
  for (const ShapeMember& m : shape->members) {
    switch (m.location) {
      case MemberLocation::kBody:
      case MemberLocation::kStatusCode:
        break;
      case MemberLocation::kUri:
        for (const auto& [name, value] : labels) {
          if (name != m.location_name) continue;
          Json v;
          RETURN_IF_ERROR(ScalarFromText(*m.shape, m.location_name, value, false, &v));
          call.input[m.name] = std::move(v);
        }
        break;
      case MemberLocation::kHeader: {
        std::string_view value = request.Header(m.location_name);
        if (value.empty()) break;
        Json v;
        RETURN_IF_ERROR(ScalarFromText(*m.shape, m.location_name, std::string(value), m.json_value,
                                       &v));
        call.input[m.name] = std::move(v);
        break;
      }
      case MemberLocation::kHeaders: {
        Json map = Json::object();
        for (const sigv4::Header& h : request.headers) {
          if (h.name.size() < m.location_name.size()) continue;
          if (!sigv4::HeaderNameEquals(h.name.substr(0, m.location_name.size()), m.location_name)) {
            continue;
          }
          map[std::string(h.name.substr(m.location_name.size()))] = std::string(h.value);
        }
        if (!map.empty()) call.input[m.name] = std::move(map);
        break;
      }
      case MemberLocation::kQueryString: {
        if (!query_parsed) {
          query = ParseForm(request.query);
          query_parsed = true;
        }
        if (m.shape->type == ShapeType::kList) {
          Json arr = Json::array();
          for (const FormParam& p : query) {
            if (p.name != m.location_name) continue;
            Json v;
            RETURN_IF_ERROR(ScalarFromText(*m.shape->member, p.name, p.value, false, &v));
            arr.push_back(std::move(v));
          }
          if (!arr.empty()) call.input[m.name] = std::move(arr);
        } else if (m.shape->type == ShapeType::kMap) {
          // Every parameter no other member claims.
          Json map = Json::object();
          for (const FormParam& p : query) {
            bool claimed = false;
            for (const ShapeMember& o : shape->members) {
              claimed = claimed ||
                        (o.location == MemberLocation::kQueryString && o.location_name == p.name &&
                         &o != &m);
            }
            if (!claimed && !map.contains(p.name)) map[p.name] = p.value;
          }
          if (!map.empty()) call.input[m.name] = std::move(map);
        } else {
          for (const FormParam& p : query) {
            if (p.name != m.location_name) continue;
            Json v;
            RETURN_IF_ERROR(ScalarFromText(*m.shape, p.name, p.value, false, &v));
            call.input[m.name] = std::move(v);
            break;
          }
        }
        break;
      }
    }
  }
  return call;
}

HttpResponse RestJsonProtocol::EncodeOutput(std::string_view operation,
                                            const nlohmann::json& output,
                                            std::string_view request_id) const {
  const OperationInfo* op = model().FindOperation(operation);
  OPENPCA_CHECK(op != nullptr);
  HttpResponse res;
  res.status = op->response_code;
  res.headers.emplace_back("Content-Type", kContentType);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  if (op->output == nullptr || !output.is_object()) {
    res.body = "{}";
    return res;
  }
  for (const ShapeMember& m : op->output->members) {
    auto it = output.find(m.name);
    if (it == output.end() || it->is_null()) continue;
    switch (m.location) {
      case MemberLocation::kHeader:
        res.headers.emplace_back(m.location_name, HeaderText(m, *it));
        break;
      case MemberLocation::kHeaders:
        if (it->is_object()) {
          for (const auto& [k, v] : it->items()) {
            res.headers.emplace_back(m.location_name + k, v.is_string() ? v.get<std::string>()
                                                                        : v.dump());
          }
        }
        break;
      case MemberLocation::kStatusCode:
        if (it->is_number_integer()) res.status = it->get<int>();
        break;
      default:
        break;
    }
  }
  res.body = ModelToBody(*op->output, output, {}, 0)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

HttpResponse RestJsonProtocol::EncodeError(const Status& status,
                                           std::string_view request_id) const {
  AwsError err = ErrorFor(service(), status);
  HttpResponse res;
  res.status = err.http_status;
  res.headers.emplace_back("Content-Type", kContentType);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  res.headers.emplace_back("x-amzn-ErrorType", err.name);
  nlohmann::json body = {{"message", ClientMessage(status)}};
  res.body = JsonTextReplacingInvalidUtf8(body);
  return res;
}

bool RestJsonProtocol::Matches(const HttpRequest& request) const {
  return FindRoute(request, nullptr) != nullptr;
}

std::string RestJsonProtocol::OperationOf(const HttpRequest& request) const {
  const Route* r = FindRoute(request, nullptr);
  return r == nullptr ? std::string() : r->op->name;
}

}  // namespace openpca::api::protocols
