// ServiceModel::PruneInput: what an AWS service does when it deserializes a request into its typed
// input: members the model does not define are dropped and a JSON null is an absent member, at
// every level. Runs after ValidateInput, so the types along the walk are the model's.
#include "api/model.h"
#include "api/model_shapes.h"

namespace openpca::api {
namespace {

using Json = nlohmann::json;

// ValidateInput already refused anything deeper; this only bounds the recursion again.
constexpr int kMaxDepth = 32;

void Prune(const Shape& shape, Json& v, int depth) {
  if (depth > kMaxDepth) return;
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return;
      Json kept = Json::object();
      for (const ShapeMember& m : shape.members) {
        auto it = v.find(m.name);
        if (it == v.end() || it->is_null()) continue;
        Prune(*m.shape, *it, depth + 1);
        kept[m.name] = std::move(*it);
      }
      v = std::move(kept);
      return;
    }
    case ShapeType::kList:
      if (!v.is_array()) return;
      for (Json& e : v) Prune(*shape.member, e, depth + 1);
      return;
    case ShapeType::kMap:
      if (!v.is_object()) return;
      for (auto& [key, e] : v.items()) Prune(*shape.value, e, depth + 1);
      return;
    default:
      return;
  }
}

}  // namespace

void ServiceModel::PruneInput(std::string_view operation, nlohmann::json& input) const {
  auto it = operation_inputs_.find(operation);
  if (it == operation_inputs_.end() || it->second == nullptr) {
    input = nlohmann::json::object();
    return;
  }
  Prune(*it->second, input, 0);
}

}  // namespace openpca::api
