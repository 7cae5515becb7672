// Protocol: the wire codec of one AWS service, driven by its botocore model. It turns request
// bytes into (operation, input JSON) and (output JSON | Status) into response bytes, and does no
// I/O. One implementation per AWS protocol:
//   json       (JsonProtocol, json_protocol.h)       acm-pca, organizations, acm, cloudtrail, events
//   query      (QueryProtocol, query_protocol.h)     iam, sts — XML responses
//   rest-json  (RestJsonProtocol, rest_json_protocol.h)  ram
// rest-xml (S3) is not implemented: For() returns nullptr for it.
//
// The input and output JSON use the model's member names at every level (IAM CreateUser input
// {"UserName":"alice","Tags":[{"Key":"k","Value":"v"}]}), whatever the wire calls them. Input
// blobs are base64 strings; input timestamps are epoch seconds (a JSON number) as the validator
// expects. In outputs a timestamp may be epoch seconds or an ISO-8601 string; each codec writes
// it as its protocol wants. Outputs' blobs must be base64 strings.
//
// A Protocol holds a reference to its ServiceModel (which must outlive it: the embedded models
// live forever), is immutable after construction and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "api/model.h"
#include "common/status.h"

namespace openpca::api::protocols {

struct DecodedCall {
  std::string operation;  // "CreateUser"
  nlohmann::json input;   // an object, model member names
};

class Protocol {
 public:
  // The codec for `model`'s protocol; nullptr when it is not supported (rest-xml).
  static std::unique_ptr<Protocol> For(const ServiceModel& model);

  virtual ~Protocol() = default;
  Protocol(const Protocol&) = delete;
  Protocol& operator=(const Protocol&) = delete;

  const ServiceModel& model() const { return model_; }
  // The service's signing name ("iam"), the key of ErrorFor() and SigningServiceOf().
  const std::string& service() const { return model_.signing_name(); }

  // Finds the operation and reads the wire input into model-named JSON, without the model's
  // constraints. Errors: kUnknownOperation (no or unknown target / Action / route),
  // kMissingAction (query without Action), kSerialization (malformed body, a value of the wrong
  // type). A request pipeline that authenticates before it validates calls Parse(), verifies the
  // signature, then Validate().
  virtual Result<DecodedCall> Parse(const HttpRequest& request) const = 0;

  // The model's constraints on a parsed call (required members, lengths, patterns, enums: one
  // kValidation status in AWS's wording; kSerialization for a type mismatch), then drops the
  // members the model does not define and nulls (ServiceModel::PruneInput).
  Status Validate(DecodedCall& call) const;

  // Parse() then Validate().
  Result<DecodedCall> Decode(const HttpRequest& request) const;

  // The success response of `operation` (a model operation; aborts otherwise) with `output`
  // (an object; null or {} for operations without output).
  virtual HttpResponse EncodeOutput(std::string_view operation, const nlohmann::json& output,
                                    std::string_view request_id) const = 0;

  // The error response for a non-OK `status`, named as this service names it (errors.h
  // ErrorFor). kInternal detail is never sent.
  virtual HttpResponse EncodeError(const Status& status, std::string_view request_id) const = 0;

  // Cheap test, without signature information, whether `request` is addressed to this service:
  // json: X-Amz-Target has the model's target prefix; query: the Action (query string or form
  // body) is an operation of this model; rest-json: method and path match an operation's URI.
  virtual bool Matches(const HttpRequest& request) const = 0;

  // The operation `request` names, if it names one of this model's (for logs of requests that are
  // rejected before Parse()); empty otherwise.
  virtual std::string OperationOf(const HttpRequest& request) const = 0;

 protected:
  explicit Protocol(const ServiceModel& model) : model_(model) {}

 private:
  const ServiceModel& model_;
};

// The service name of the SigV4 credential scope ("AKID/20240101/us-east-1/iam/aws4_request"),
// read without verifying anything from the Authorization header or, for presigned requests, the
// X-Amz-Credential query parameter. nullopt when the request carries neither or it is malformed.
// This is the primary key for routing a request to a Protocol.
std::optional<std::string> SigningServiceOf(const HttpRequest& request);

}  // namespace openpca::api::protocols
