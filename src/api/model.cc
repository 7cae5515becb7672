#include "api/model.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <unordered_map>

#include "api/model_shapes.h"

namespace openpca::api {
namespace embedded {
extern const unsigned char kAcmPcaModel[];
extern const size_t kAcmPcaModelSize;
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

std::string LowerCamel(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

// Parses the fields of one shape; references to other shapes resolve through `by_name`.
Status FillShape(const OrderedJson& j, const std::unordered_map<std::string, Shape*>& by_name,
                 Shape* shape) {
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
    ASSIGN_OR_RETURN(Pattern p, Pattern::Compile(j.at("pattern").get<std::string>()));
    shape->pattern = std::move(p);
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
      break;
    case ShapeType::kMap:
      RETURN_IF_ERROR(ref(j.at("key"), &shape->key));
      RETURN_IF_ERROR(ref(j.at("value"), &shape->value));
      break;
    default:
      break;
  }
  return Status::Ok();
}

}  // namespace

ServiceModel::~ServiceModel() = default;

const ServiceModel& ServiceModel::AcmPca() {
  static const ServiceModel* const kModel = [] {
    std::string_view text(reinterpret_cast<const char*>(embedded::kAcmPcaModel),
                          embedded::kAcmPcaModelSize);
    Result<std::unique_ptr<ServiceModel>> model = Parse(text);
    if (!model.ok()) {
      std::cerr << "openpca: embedded acm-pca model: " << model.status().ToString() << "\n";
      std::abort();
    }
    return std::move(model).value().release();
  }();
  return *kModel;
}

Result<std::unique_ptr<ServiceModel>> ServiceModel::Parse(std::string_view model_json) {
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
      RETURN_IF_ERROR(FillShape(j, by_name, by_name.at(name)));
    }
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
