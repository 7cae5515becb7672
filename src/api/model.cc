#include "api/model.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "api/model_shapes.h"

namespace openpca::api {
namespace embedded {
extern const unsigned char kAcmPcaModel[];
extern const size_t kAcmPcaModelSize;
extern const unsigned char kIamModel[];
extern const size_t kIamModelSize;
extern const unsigned char kStsModel[];
extern const size_t kStsModelSize;
extern const unsigned char kOrganizationsModel[];
extern const size_t kOrganizationsModelSize;
extern const unsigned char kRamModel[];
extern const size_t kRamModelSize;
extern const unsigned char kAcmModel[];
extern const size_t kAcmModelSize;
extern const unsigned char kCloudTrailModel[];
extern const size_t kCloudTrailModelSize;
extern const unsigned char kEventsModel[];
extern const size_t kEventsModelSize;
}  // namespace embedded

namespace {

using OrderedJson = nlohmann::ordered_json;

std::optional<ShapeType> ParseShapeType(const std::string& t) {
  static const std::unordered_map<std::string, ShapeType> kTypes = {
      {"structure", ShapeType::kStructure},
      {"list", ShapeType::kList},
      {"map", ShapeType::kMap},
      {"string", ShapeType::kString},
      {"integer", ShapeType::kInteger},
      {"long", ShapeType::kLong},
      {"float", ShapeType::kFloat},
      {"double", ShapeType::kDouble},
      {"boolean", ShapeType::kBoolean},
      {"timestamp", ShapeType::kTimestamp},
      {"blob", ShapeType::kBlob},
  };
  auto it = kTypes.find(t);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

MemberLocation ParseLocation(const std::string& l) {
  if (l == "uri") return MemberLocation::kUri;
  if (l == "querystring") return MemberLocation::kQueryString;
  if (l == "header") return MemberLocation::kHeader;
  if (l == "headers") return MemberLocation::kHeaders;
  if (l == "statusCode") return MemberLocation::kStatusCode;
  return MemberLocation::kBody;
}

struct EmbeddedModel {
  std::string_view service;
  const unsigned char* bytes;
  const size_t* size;
};

const EmbeddedModel kEmbedded[] = {
    {"acm-pca", embedded::kAcmPcaModel, &embedded::kAcmPcaModelSize},
    {"iam", embedded::kIamModel, &embedded::kIamModelSize},
    {"sts", embedded::kStsModel, &embedded::kStsModelSize},
    {"organizations", embedded::kOrganizationsModel, &embedded::kOrganizationsModelSize},
    {"ram", embedded::kRamModel, &embedded::kRamModelSize},
    {"acm", embedded::kAcmModel, &embedded::kAcmModelSize},
    {"cloudtrail", embedded::kCloudTrailModel, &embedded::kCloudTrailModelSize},
    {"events", embedded::kEventsModel, &embedded::kEventsModelSize},
};

const ServiceModel* LoadEmbedded(const EmbeddedModel& e, bool strict) {
  std::string_view text(reinterpret_cast<const char*>(e.bytes), *e.size);
  ServiceModel::ParseOptions options;
  options.skip_unsupported_patterns = !strict;
  Result<std::unique_ptr<ServiceModel>> model = ServiceModel::Parse(text, options);
  if (!model.ok()) {
    std::cerr << "openpca: embedded " << e.service << " model: " << model.status().ToString()
              << "\n";
    std::abort();
  }
  for (const std::string& p : (*model)->SkippedPatterns()) {
    std::cerr << "openpca: " << e.service << " model: pattern not checked: " << p << "\n";
  }
  return std::move(model).value().release();
}

std::string LowerCamel(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

// Parses the fields of one shape; references to other shapes resolve through `by_name`.
Status FillShape(const OrderedJson& j, const std::unordered_map<std::string, Shape*>& by_name,
                 bool skip_bad_patterns, std::vector<std::string>* skipped, Shape* shape) {
  auto ref = [&](const OrderedJson& target, const Shape** out) -> Status {
    std::string name = target.at("shape").get<std::string>();
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      return InternalError("shape " + shape->name + " references unknown shape " + name);
    }
    *out = it->second;
    return Status::Ok();
  };
  bool is_float = shape->type == ShapeType::kFloat || shape->type == ShapeType::kDouble;
  if (j.contains("min")) {
    if (is_float) {
      shape->min_float = j.at("min").get<double>();
    } else {
      shape->min = j.at("min").get<int64_t>();
    }
  }
  if (j.contains("max")) {
    if (is_float) {
      shape->max_float = j.at("max").get<double>();
    } else {
      shape->max = j.at("max").get<int64_t>();
    }
  }
  if (j.contains("pattern")) {
    std::string source = j.at("pattern").get<std::string>();
    Result<Pattern> p = Pattern::Compile(source);
    if (p.ok()) {
      shape->pattern = std::move(p).value();
    } else if (skip_bad_patterns) {
      skipped->push_back(shape->name + ": " + source);
    } else {
      return p.status();
    }
  }
  shape->flattened = j.value("flattened", false);
  shape->sensitive = j.value("sensitive", false);
  shape->timestamp_format = j.value("timestampFormat", "");
  if (j.contains("xmlNamespace")) shape->xml_namespace = j.at("xmlNamespace").value("uri", "");
  if (j.value("exception", false)) {
    shape->exception = true;
    shape->error_code = shape->name;
    if (j.contains("error")) {
      const OrderedJson& e = j.at("error");
      shape->error_code = e.value("code", shape->name);
      if (e.contains("httpStatusCode")) shape->http_status = e.at("httpStatusCode").get<int>();
      if (e.contains("senderFault")) {
        shape->sender_fault = e.at("senderFault").get<bool>();
      } else {
        shape->sender_fault = !j.value("fault", false) && shape->http_status.value_or(400) < 500;
      }
    } else {
      shape->sender_fault = !j.value("fault", false);
    }
  }
  if (j.contains("enum")) {
    // Built with push_back/append: GCC 12 warns falsely (-Wrestrict) on assigning "[".
    std::string text;
    text.push_back('[');
    for (const OrderedJson& v : j.at("enum")) {
      if (!shape->enum_values.empty()) text.append(", ");
      shape->enum_values.push_back(v.get<std::string>());
      text.append(shape->enum_values.back());
    }
    text.push_back(']');
    shape->enum_text = std::move(text);
  }
  switch (shape->type) {
    case ShapeType::kStructure: {
      std::vector<std::string> required;
      if (j.contains("required")) required = j.at("required").get<std::vector<std::string>>();
      if (j.contains("members")) {
        for (const auto& [name, m] : j.at("members").items()) {
          ShapeMember member;
          member.name = name;
          member.path_name = LowerCamel(name);
          RETURN_IF_ERROR(ref(m, &member.shape));
          member.required = std::find(required.begin(), required.end(), name) != required.end();
          member.location = ParseLocation(m.value("location", ""));
          member.location_name = m.value("locationName", name);
          member.flattened = m.value("flattened", false);  // or the shape's: see Parse()
          member.xml_attribute = m.value("xmlAttribute", false);
          if (m.contains("xmlNamespace")) {
            member.xml_namespace = m.at("xmlNamespace").value("uri", "");
          }
          member.timestamp_format = m.value("timestampFormat", "");
          member.json_value = m.value("jsonvalue", false);
          member.idempotency_token = m.value("idempotencyToken", false);
          shape->members.push_back(std::move(member));
        }
      }
      for (const std::string& r : required) {
        bool found = std::any_of(shape->members.begin(), shape->members.end(),
                                 [&](const ShapeMember& m) { return m.name == r; });
        if (!found) return InternalError("shape " + shape->name + " requires unknown " + r);
      }
      break;
    }
    case ShapeType::kList:
      RETURN_IF_ERROR(ref(j.at("member"), &shape->member));
      shape->member_location_name = j.at("member").value("locationName", "");
      break;
    case ShapeType::kMap:
      RETURN_IF_ERROR(ref(j.at("key"), &shape->key));
      RETURN_IF_ERROR(ref(j.at("value"), &shape->value));
      shape->key_location_name = j.at("key").value("locationName", "");
      shape->value_location_name = j.at("value").value("locationName", "");
      break;
    default:
      break;
  }
  return Status::Ok();
}

}  // namespace

ServiceModel::~ServiceModel() = default;

const ServiceModel& ServiceModel::AcmPca() {
  // Strict: every acm-pca pattern is checked.
  static const ServiceModel* const kModel = LoadEmbedded(kEmbedded[0], /*strict=*/true);
  return *kModel;
}

const ServiceModel& ServiceModel::Get(std::string_view service) {
  constexpr size_t kCount = std::size(kEmbedded);
  static std::once_flag once[kCount];
  static const ServiceModel* models[kCount] = {};
  for (size_t i = 0; i < kCount; ++i) {
    if (kEmbedded[i].service != service) continue;
    if (i == 0) return AcmPca();
    std::call_once(once[i], [i] { models[i] = LoadEmbedded(kEmbedded[i], /*strict=*/false); });
    return *models[i];
  }
  std::cerr << "openpca: ServiceModel::Get: no embedded model for " << service << "\n";
  std::abort();
}

bool ServiceModel::Has(std::string_view service) {
  for (const EmbeddedModel& e : kEmbedded) {
    if (e.service == service) return true;
  }
  return false;
}

const std::vector<std::string>& ServiceModel::EmbeddedServices() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const EmbeddedModel& e : kEmbedded) names.emplace_back(e.service);
    return names;
  }();
  return kNames;
}

const OperationInfo* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::FindError(std::string_view code) const {
  auto it = errors_by_code_.find(code);
  return it == errors_by_code_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<ServiceModel>> ServiceModel::Parse(std::string_view model_json) {
  return Parse(model_json, ParseOptions());
}

Result<std::unique_ptr<ServiceModel>> ServiceModel::Parse(std::string_view model_json,
                                                          const ParseOptions& options) {
  OrderedJson doc = OrderedJson::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InternalError("service model is not a JSON object");
  }
  std::unique_ptr<ServiceModel> model(new ServiceModel());
  // nlohmann throws on a missing key or wrong type; the model is ours, but a broken one must be
  // a Status, not an exception escaping the module.
  try {
    const OrderedJson& metadata = doc.at("metadata");
    model->target_prefix_ = metadata.value("targetPrefix", "");
    model->signing_name_ = metadata.value("signingName", metadata.value("endpointPrefix", ""));
    ServiceMetadata& md = model->metadata_;
    md.protocol = metadata.value("protocol", "");
    md.json_version = metadata.value("jsonVersion", "");
    md.service_id = metadata.value("serviceId", "");
    md.endpoint_prefix = metadata.value("endpointPrefix", "");
    md.signing_name = model->signing_name_;
    md.target_prefix = model->target_prefix_;
    md.xml_namespace = metadata.value("xmlNamespace", "");
    md.api_version = metadata.value("apiVersion", "");
    md.global_endpoint = metadata.value("globalEndpoint", "");
    md.uid = metadata.value("uid", "");

    std::unordered_map<std::string, Shape*> by_name;
    for (const auto& [name, j] : doc.at("shapes").items()) {
      std::optional<ShapeType> type = ParseShapeType(j.at("type").get<std::string>());
      if (!type.has_value()) return InternalError("shape " + name + " has an unknown type");
      auto shape = std::make_unique<Shape>();
      shape->name = name;
      shape->type = *type;
      by_name[name] = shape.get();
      model->shapes_.push_back(std::move(shape));
    }
    for (const auto& [name, j] : doc.at("shapes").items()) {
      RETURN_IF_ERROR(FillShape(j, by_name, options.skip_unsupported_patterns,
                                &model->skipped_patterns_, by_name.at(name)));
    }
    for (const std::unique_ptr<Shape>& shape : model->shapes_) {
      if (shape->exception) model->errors_by_code_.emplace(shape->error_code, shape.get());
      // Shape-level traits apply to every member that targets the shape.
      for (ShapeMember& m : shape->members) {
        m.flattened = m.flattened || m.shape->flattened;
        if (m.timestamp_format.empty()) m.timestamp_format = m.shape->timestamp_format;
      }
    }
    auto structure = [&](const OrderedJson& target, const std::string& op,
                         const Shape** out) -> Status {
      auto it = by_name.find(target.at("shape").get<std::string>());
      if (it == by_name.end() || it->second->type != ShapeType::kStructure) {
        return InternalError("operation " + op + " references a bad shape");
      }
      *out = it->second;
      return Status::Ok();
    };
    for (const auto& [name, op] : doc.at("operations").items()) {
      const Shape* input = nullptr;
      if (op.contains("input")) {
        std::string input_name = op.at("input").at("shape").get<std::string>();
        auto it = by_name.find(input_name);
        if (it == by_name.end() || it->second->type != ShapeType::kStructure) {
          return InternalError("operation " + name + " has a bad input shape");
        }
        input = it->second;
      }
      model->operation_inputs_.emplace(name, input);
      model->operation_names_.push_back(name);
      OperationInfo info;
      info.name = name;
      info.input = input;
      if (op.contains("http")) {
        const OrderedJson& http = op.at("http");
        info.http_method = http.value("method", "POST");
        info.request_uri = http.value("requestUri", "/");
        info.response_code = http.value("responseCode", 200);
      } else {
        info.http_method = "POST";
        info.request_uri = "/";
      }
      if (op.contains("output")) {
        RETURN_IF_ERROR(structure(op.at("output"), name, &info.output));
        info.result_wrapper = op.at("output").value("resultWrapper", "");
      }
      if (op.contains("errors")) {
        for (const OrderedJson& e : op.at("errors")) {
          const Shape* err = nullptr;
          RETURN_IF_ERROR(structure(e, name, &err));
          info.errors.push_back(err);
        }
      }
      model->operations_.emplace(name, std::move(info));
    }
  } catch (const nlohmann::json::exception& e) {
    return InternalError(std::string("malformed service model: ") + e.what());
  }
  std::sort(model->operation_names_.begin(), model->operation_names_.end());
  return model;
}

bool ServiceModel::HasOperation(std::string_view name) const {
  return operation_inputs_.find(name) != operation_inputs_.end();
}

}  // namespace openpca::api
