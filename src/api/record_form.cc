// ServiceModel::RecordForm: request and response members as CloudTrail records them.
#include "api/model.h"
#include "api/model_shapes.h"

namespace openpca::api {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 32;
constexpr std::string_view kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

Json Form(const Shape& shape, const Json& v, int depth) {
  if (shape.sensitive) return Json(kHidden);
  if (depth > kMaxDepth) return nullptr;
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return v;
      Json out = Json::object();
      for (const ShapeMember& m : shape.members) {
        auto it = v.find(m.name);
        if (it == v.end() || it->is_null()) continue;
        out[m.path_name] = Form(*m.shape, *it, depth + 1);
      }
      return out;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return v;
      Json out = Json::array();
      for (const Json& e : v) out.push_back(Form(*shape.member, e, depth + 1));
      return out;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return v;
      Json out = Json::object();
      for (const auto& [key, e] : v.items()) {
        out[key] = shape.key != nullptr && shape.key->sensitive
                       ? Json(kHidden)
                       : Form(*shape.value, e, depth + 1);
      }
      return out;
    }
    default:
      return v;
  }
}

}  // namespace

nlohmann::json ServiceModel::RecordForm(std::string_view operation, const nlohmann::json& members,
                                        bool output) const {
  const Shape* shape = nullptr;
  if (output) {
    const OperationInfo* info = FindOperation(operation);
    if (info != nullptr) shape = info->output;
  } else {
    auto it = operation_inputs_.find(operation);
    if (it != operation_inputs_.end()) shape = it->second;
  }
  if (shape == nullptr || !members.is_object()) return nullptr;
  return Form(*shape, members, 0);
}

}  // namespace openpca::api
