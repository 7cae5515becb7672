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
// Besides validation, the model tells the wire codecs (api/protocols/) what they need: service
// metadata, each operation's HTTP binding and output shape, member locations and wire names, and
// the modeled errors with their codes and HTTP statuses.
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

// The "metadata" object of a model.
struct ServiceMetadata {
  std::string protocol;         // "json", "query", "rest-json", "rest-xml"
  std::string json_version;     // "1.1", "1.0"; empty for query
  std::string service_id;       // "ACM PCA", "IAM"
  std::string endpoint_prefix;  // "acm-pca", "iam"
  std::string signing_name;     // signingName, else endpointPrefix
  std::string target_prefix;    // "ACMPrivateCA"; empty unless json
  std::string xml_namespace;    // "https://iam.amazonaws.com/doc/2010-05-08/"
  std::string api_version;      // "2010-05-08"
  std::string global_endpoint;  // "iam.amazonaws.com" or empty
  std::string uid;              // "iam-2010-05-08"
};

// One operation of a model.
struct OperationInfo {
  std::string name;              // "CreateUser"
  std::string http_method;       // "POST"
  std::string request_uri;       // "/", "/createresourceshare", "/{Bucket}/{Key+}"
  int response_code = 200;       // http.responseCode
  const Shape* input = nullptr;  // nullptr: no input
  const Shape* output = nullptr; // nullptr: no output
  std::string result_wrapper;    // output.resultWrapper ("CreateUserResult"); query only
  std::vector<const Shape*> errors;
};

class ServiceModel {
 public:
  // The embedded acm-pca 2017-08-22 model, parsed on first use. Aborts if it does not load (a
  // build defect that the unit tests catch).
  static const ServiceModel& AcmPca();

  // The embedded model of `service` (its signing name): "acm-pca", "iam", "sts",
  // "organizations", "ram", "acm", "cloudtrail", "events". Each is parsed once, on first use;
  // aborts if an embedded model does not load. Unsupported patterns are skipped (see
  // SkippedPatterns()). Aborts for an unknown name (a wiring bug); see Has().
  static const ServiceModel& Get(std::string_view service);
  static bool Has(std::string_view service);
  // The names Get() accepts, in a fixed order.
  static const std::vector<std::string>& EmbeddedServices();

  struct ParseOptions {
    // When false (the default), a pattern Pattern cannot compile fails the parse. When true, the
    // shape keeps no pattern (no check) and its name is listed in SkippedPatterns().
    bool skip_unsupported_patterns = false;
  };

  // Parses a botocore service-2.json document. kInternal if it is malformed or (unless
  // options.skip_unsupported_patterns) uses a pattern construct Pattern does not support.
  static Result<std::unique_ptr<ServiceModel>> Parse(std::string_view model_json);
  static Result<std::unique_ptr<ServiceModel>> Parse(std::string_view model_json,
                                                     const ParseOptions& options);

  ~ServiceModel();
  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  bool HasOperation(std::string_view name) const;
  const std::vector<std::string>& OperationNames() const { return operation_names_; }  // sorted
  const std::string& target_prefix() const { return target_prefix_; }  // "ACMPrivateCA"
  const std::string& signing_name() const { return signing_name_; }    // "acm-pca"
  const ServiceMetadata& metadata() const { return metadata_; }

  // nullptr if `name` is not an operation of the model.
  const OperationInfo* FindOperation(std::string_view name) const;
  // The modeled error whose wire code (error.code, else the shape name) is `code`; nullptr if none.
  const Shape* FindError(std::string_view code) const;
  // "Shape: pattern" for every pattern skipped at parse time (empty for a strict parse).
  const std::vector<std::string>& SkippedPatterns() const { return skipped_patterns_; }

  // Returns OK, kSerialization, kValidation, or kUnknownOperation if `operation` is not in the
  // model. `input` is the request body (an object).
  Status ValidateInput(std::string_view operation, const nlohmann::json& input) const;

  // After ValidateInput succeeded: drops members the model does not define and members that are
  // JSON null, at every level, as AWS does when it reads a request into its typed input. Handlers
  // and what they store then see only model members, never null.
  void PruneInput(std::string_view operation, nlohmann::json& input) const;

  // The input (`output` false) or output members of `operation` as a CloudTrail record shows
  // them (record_form.cc): member names lowerCamelCase at every depth (map keys as given), the
  // value of every member whose shape the model marks "sensitive" replaced by
  // "HIDDEN_DUE_TO_SECURITY_REASONS", members the model does not define dropped. Null when the
  // operation has no such shape or `members` is not an object.
  nlohmann::json RecordForm(std::string_view operation, const nlohmann::json& members,
                            bool output) const;

 private:
  ServiceModel() = default;

  std::vector<std::unique_ptr<Shape>> shapes_;
  std::map<std::string, const Shape*, std::less<>> operation_inputs_;  // nullptr: no input
  std::map<std::string, OperationInfo, std::less<>> operations_;
  std::map<std::string, const Shape*, std::less<>> errors_by_code_;
  std::vector<std::string> operation_names_;
  std::vector<std::string> skipped_patterns_;
  ServiceMetadata metadata_;
  std::string target_prefix_;
  std::string signing_name_;
};

}  // namespace openpca::api
