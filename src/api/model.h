// ServiceModel: a botocore service model (operations and shapes) parsed once, with every pattern
// compiled, and the input validation the AWS service performs before an operation runs.
//
// ValidateInput() walks the operation's input shape over the request JSON:
//   - JSON type per shape type (structure/map → object, list → array, string, integer/long →
//     integral number in range, boolean, timestamp → number, blob → strict base64 string);
//     the first mismatch is kSerialization (AWS "SerializationException").
//   - constraints: required members, length min/max (strings in code points, blobs in decoded
//     bytes, lists in elements), numeric min/max, patterns (full match), enums; violations are
//     collected into one kValidation status in AWS's wording ("2 validation errors detected:
//     Value 'x' at 'tags.1.member.key' failed to satisfy constraint: ...; ...").
//   - unknown members are ignored and null optional members are treated as absent, as AWS JSON
//     services do.
//
// Immutable after construction; all methods are const and thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::api {

struct Shape;  // model_shapes.h

class ServiceModel {
 public:
  // The embedded acm-pca 2017-08-22 model, parsed on first use. Aborts if it does not load (a
  // build defect that the unit tests catch).
  static const ServiceModel& AcmPca();

  // Parses a botocore service-2.json document. kInternal if it is malformed or uses a pattern
  // construct Pattern does not support.
  static Result<std::unique_ptr<ServiceModel>> Parse(std::string_view model_json);

  ~ServiceModel();
  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  bool HasOperation(std::string_view name) const;
  const std::vector<std::string>& OperationNames() const { return operation_names_; }  // sorted
  const std::string& target_prefix() const { return target_prefix_; }  // "ACMPrivateCA"
  const std::string& signing_name() const { return signing_name_; }    // "acm-pca"

  // Returns OK, kSerialization, kValidation, or kUnknownOperation if `operation` is not in the
  // model. `input` is the request body (an object).
  Status ValidateInput(std::string_view operation, const nlohmann::json& input) const;

  // After ValidateInput succeeded: drops members the model does not define and members that are
  // JSON null, at every level, as AWS does when it reads a request into its typed input. Handlers
  // and what they store then see only model members, never null.
  void PruneInput(std::string_view operation, nlohmann::json& input) const;

 private:
  ServiceModel() = default;

  std::vector<std::unique_ptr<Shape>> shapes_;
  std::map<std::string, const Shape*, std::less<>> operation_inputs_;  // nullptr: no input
  std::vector<std::string> operation_names_;
  std::string target_prefix_;
  std::string signing_name_;
};

}  // namespace openpca::api
