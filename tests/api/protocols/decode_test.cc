// Decoding requests exactly as botocore serializes them (request_fixtures.inc, produced by
// gen_request_fixtures.py), for every protocol codec; and the codecs' decode errors.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/protocols/protocol.h"
#include "api/protocols/query_protocol.h"

namespace openpca::api::protocols {
namespace {

using nlohmann::json;

struct Fixture {
  const char* service;
  const char* operation;
  const char* method;
  const char* path;
  const char* query;
  const char* headers;  // JSON object
  const char* body;
  const char* input;  // JSON: the model-named input the codec must produce
};

const Fixture kFixtures[] = {
#include "request_fixtures.inc"
};

// Owns the strings an HttpRequest views.
struct Request {
  std::string method, path, query, target, body;
  std::vector<sigv4::Header> headers;
  std::vector<std::pair<std::string, std::string>> header_storage;

  HttpRequest View() const {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.target = target;
    r.headers = headers;
    r.body = body;
    return r;
  }
};

Request MakeRequest(std::string method, std::string path, std::string query,
                    const json& headers, std::string body) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.target = r.query.empty() ? r.path : r.path + "?" + r.query;
  r.body = std::move(body);
  for (const auto& [k, v] : headers.items()) r.header_storage.emplace_back(k, v.get<std::string>());
  for (const auto& [k, v] : r.header_storage) r.headers.push_back({k, v});
  return r;
}

std::unique_ptr<Protocol> For(std::string_view service) {
  return Protocol::For(ServiceModel::Get(service));
}

TEST(ProtocolDecodeTest, BotocoreSerializedRequestsDecodeToModelInput) {
  for (const Fixture& f : kFixtures) {
    SCOPED_TRACE(std::string(f.service) + " " + f.operation);
    std::unique_ptr<Protocol> p = For(f.service);
    ASSERT_NE(p, nullptr);
    Request req = MakeRequest(f.method, f.path, f.query, json::parse(f.headers), f.body);
    EXPECT_TRUE(p->Matches(req.View()));
    EXPECT_EQ(p->OperationOf(req.View()), f.operation);
    Result<DecodedCall> call = p->Decode(req.View());
    ASSERT_TRUE(call.ok()) << call.status().ToString();
    EXPECT_EQ(call->operation, f.operation);
    EXPECT_EQ(call->input, json::parse(f.input));
  }
}

TEST(ProtocolDecodeTest, ForPicksTheModelsProtocol) {
  for (const std::string& s : ServiceModel::EmbeddedServices()) {
    SCOPED_TRACE(s);
    std::unique_ptr<Protocol> p = For(s);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->service(), ServiceModel::Get(s).signing_name());
  }
  EXPECT_EQ(ServiceModel::Get("cloudtrail").signing_name(), "cloudtrail");
  EXPECT_EQ(ServiceModel::Get("events").signing_name(), "events");
}

TEST(ProtocolDecodeTest, RequestsOfOneServiceDoNotMatchAnother) {
  Request iam = MakeRequest("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                            "Action=CreateUser&Version=2010-05-08&UserName=a");
  EXPECT_TRUE(For("iam")->Matches(iam.View()));
  EXPECT_FALSE(For("sts")->Matches(iam.View()));
  EXPECT_FALSE(For("ram")->Matches(iam.View()));
  EXPECT_FALSE(For("acm-pca")->Matches(iam.View()));
  Request orgs = MakeRequest("POST", "/", "", {{"X-Amz-Target", "AWSOrganizationsV20161128.ListRoots"}},
                             "{}");
  EXPECT_TRUE(For("organizations")->Matches(orgs.View()));
  EXPECT_FALSE(For("acm-pca")->Matches(orgs.View()));
  EXPECT_FALSE(For("iam")->Matches(orgs.View()));
  Request ram = MakeRequest("POST", "/getresourceshares", "", json::object(), "{}");
  EXPECT_TRUE(For("ram")->Matches(ram.View()));
  Request ram_wrong_method = MakeRequest("GET", "/getresourceshares", "", json::object(), "");
  EXPECT_FALSE(For("ram")->Matches(ram_wrong_method.View()));
}

TEST(QueryDecodeTest, GetWithQueryStringAndPlusAsSpace) {
  Request r = MakeRequest("GET", "/", "Action=GetUser&Version=2010-05-08&UserName=a+b", json::object(),
                          "");
  Result<DecodedCall> call = For("iam")->Parse(r.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->operation, "GetUser");
  EXPECT_EQ(call->input, json({{"UserName", "a b"}}));
}

TEST(QueryDecodeTest, MissingAndUnknownAction) {
  Request none = MakeRequest("POST", "/", "", json::object(), "Version=2010-05-08&UserName=a");
  EXPECT_EQ(For("iam")->Decode(none.View()).status().code(), ErrorCode::kMissingAction);
  Request sts_op = MakeRequest("POST", "/", "", json::object(), "Action=AssumeRole");
  EXPECT_EQ(For("iam")->Decode(sts_op.View()).status().code(), ErrorCode::kUnknownOperation);
}

TEST(QueryDecodeTest, WrongScalarTypesAreSerializationErrors) {
  Request bad_int =
      MakeRequest("POST", "/", "", json::object(), "Action=ListUsers&MaxItems=five");
  EXPECT_EQ(For("iam")->Decode(bad_int.View()).status().code(), ErrorCode::kSerialization);
  Request bad_bool = MakeRequest("POST", "/", "", json::object(),
                                 "Action=UpdateAccountPasswordPolicy&RequireSymbols=yes");
  EXPECT_EQ(For("iam")->Decode(bad_bool.View()).status().code(), ErrorCode::kSerialization);
}

TEST(QueryDecodeTest, ModelConstraintsAreValidationErrors) {
  Request missing = MakeRequest("POST", "/", "", json::object(), "Action=CreateUser");
  Result<DecodedCall> r = For("iam")->Decode(missing.View());
  EXPECT_EQ(r.status().code(), ErrorCode::kValidation);
  EXPECT_EQ(r.status().message(),
            "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
            "Member must not be null");
  Request too_long = MakeRequest("POST", "/", "", json::object(),
                                 "Action=CreateUser&UserName=" + std::string(65, 'a'));
  EXPECT_EQ(For("iam")->Decode(too_long.View()).status().code(), ErrorCode::kValidation);
}

TEST(QueryDecodeTest, ListsStopAtTheFirstMissingIndexAndUnknownParametersAreDropped) {
  Request r = MakeRequest("POST", "/", "", json::object(),
                          "Action=GetAccountAuthorizationDetails&Filter.member.1=User&"
                          "Filter.member.3=Role&Bogus=1");
  Result<DecodedCall> call = For("iam")->Decode(r.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->input, json({{"Filter", {"User"}}}));
}

// Maps, flattened lists, nested structures and timestamps, on a small model (IAM and STS inputs
// have no maps or timestamps).
constexpr char kQueryModel[] = R"({
  "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "endpointPrefix": "demo",
               "xmlNamespace": "https://demo.example/doc/"},
  "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                        "input": {"shape": "In"},
                        "output": {"shape": "Out", "resultWrapper": "OpResult"}}},
  "shapes": {
    "In": {"type": "structure", "members": {
      "Attrs": {"shape": "Attrs"},
      "Flat": {"shape": "FlatList"},
      "Named": {"shape": "NamedList", "locationName": "Item"},
      "When": {"shape": "Time"},
      "Inner": {"shape": "Inner"},
      "Ratio": {"shape": "Dbl"}}},
    "Attrs": {"type": "map", "key": {"shape": "Str", "locationName": "Name"},
              "value": {"shape": "Str", "locationName": "Val"}},
    "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
    "NamedList": {"type": "list", "member": {"shape": "Str", "locationName": "Entry"}},
    "Inner": {"type": "structure", "members": {"N": {"shape": "Int"}, "B": {"shape": "Bool"}}},
    "Out": {"type": "structure", "members": {
      "Attrs": {"shape": "Attrs"}, "Flat": {"shape": "FlatList"}, "When": {"shape": "Time"}}},
    "Str": {"type": "string"}, "Int": {"type": "integer"}, "Bool": {"type": "boolean"},
    "Dbl": {"type": "double"}, "Time": {"type": "timestamp"}
  }})";

TEST(QueryDecodeTest, MapsFlattenedListsNestedStructuresTimestamps) {
  Result<std::unique_ptr<ServiceModel>> model = ServiceModel::Parse(kQueryModel);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  QueryProtocol p(**model);
  Request r = MakeRequest(
      "POST", "/", "", json::object(),
      "Action=Op&Attrs.entry.1.Name=a&Attrs.entry.1.Val=1&Attrs.entry.2.Name=b&Attrs.entry.2.Val=2&"
      "Flat.1=x&Flat.2=y&Item.Entry.1=e1&When=2024-01-02T03%3A04%3A05.500Z&Inner.N=-7&"
      "Inner.B=true&Ratio=0.25");
  Result<DecodedCall> call = p.Decode(r.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->input, json::parse(R"({"Attrs":{"a":"1","b":"2"},"Flat":["x","y"],
      "Named":["e1"],"When":1704164645.5,"Inner":{"N":-7,"B":true},"Ratio":0.25})"));
  Request bad_time = MakeRequest("POST", "/", "", json::object(), "Action=Op&When=yesterday");
  EXPECT_EQ(p.Decode(bad_time.View()).status().code(), ErrorCode::kSerialization);
}

TEST(JsonDecodeTest, TargetAndBodyErrors) {
  std::unique_ptr<Protocol> p = For("organizations");
  Request no_target = MakeRequest("POST", "/", "", json::object(), "{}");
  EXPECT_EQ(p->Decode(no_target.View()).status().code(), ErrorCode::kUnknownOperation);
  Request unknown = MakeRequest("POST", "/", "", {{"X-Amz-Target", "AWSOrganizationsV20161128.Nope"}},
                                "{}");
  EXPECT_EQ(p->Decode(unknown.View()).status().code(), ErrorCode::kUnknownOperation);
  Request bad_body = MakeRequest("POST", "/", "",
                                 {{"X-Amz-Target", "AWSOrganizationsV20161128.ListRoots"}}, "[1]");
  EXPECT_EQ(p->Decode(bad_body.View()).status().code(), ErrorCode::kSerialization);
  Request empty = MakeRequest("POST", "/", "",
                              {{"X-Amz-Target", "AWSOrganizationsV20161128.ListRoots"}}, "");
  Result<DecodedCall> call = p->Decode(empty.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->input, json::object());
}

TEST(RestJsonDecodeTest, UnknownRouteAndValidation) {
  std::unique_ptr<Protocol> p = For("ram");
  Request unknown = MakeRequest("POST", "/nope", "", json::object(), "{}");
  EXPECT_EQ(p->Decode(unknown.View()).status().code(), ErrorCode::kUnknownOperation);
  Request missing = MakeRequest("POST", "/createresourceshare", "", json::object(), "{}");
  EXPECT_EQ(p->Decode(missing.View()).status().code(), ErrorCode::kValidation);
  Request bad_int =
      MakeRequest("GET", "/listresourcetypes", "", json::object(), "");  // wrong method
  EXPECT_EQ(p->Decode(bad_int.View()).status().code(), ErrorCode::kUnknownOperation);
  Request bad_body = MakeRequest("POST", "/getresourceshares", "", json::object(), "nope");
  EXPECT_EQ(p->Decode(bad_body.View()).status().code(), ErrorCode::kSerialization);
}

// URI labels, greedy labels, headers and query strings, on a small model (RAM routes have none
// but query strings).
constexpr char kRestModel[] = R"({
  "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01", "endpointPrefix": "demo"},
  "operations": {
    "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/things/{Id}"},
                 "input": {"shape": "GetIn"}, "output": {"shape": "GetOut"}},
    "GetObj": {"name": "GetObj", "http": {"method": "GET", "requestUri": "/things/{Id}/files/{Key+}"},
               "input": {"shape": "ObjIn"}},
    "ListThings": {"name": "ListThings", "http": {"method": "GET", "requestUri": "/things"},
                   "input": {"shape": "ListIn"}},
    "CreateThing": {"name": "CreateThing",
                    "http": {"method": "PUT", "requestUri": "/things/{Id}", "responseCode": 201},
                    "input": {"shape": "CreateIn"}, "output": {"shape": "GetOut"}}},
  "shapes": {
    "GetIn": {"type": "structure", "required": ["Id"], "members": {
      "Id": {"shape": "Str", "location": "uri", "locationName": "Id"},
      "Version": {"shape": "Int", "location": "querystring", "locationName": "v"},
      "Since": {"shape": "Time", "location": "header", "locationName": "If-Modified-Since"},
      "Meta": {"shape": "StrMap", "location": "headers", "locationName": "x-meta-"}}},
    "ObjIn": {"type": "structure", "members": {
      "Id": {"shape": "Str", "location": "uri", "locationName": "Id"},
      "Key": {"shape": "Str", "location": "uri", "locationName": "Key"}}},
    "ListIn": {"type": "structure", "members": {
      "Tags": {"shape": "StrList", "location": "querystring", "locationName": "tag"},
      "Rest": {"shape": "StrMap", "location": "querystring"}}},
    "CreateIn": {"type": "structure", "members": {
      "Id": {"shape": "Str", "location": "uri", "locationName": "Id"},
      "Name": {"shape": "Str", "locationName": "name"},
      "When": {"shape": "Time", "locationName": "when"}}},
    "GetOut": {"type": "structure", "members": {
      "Name": {"shape": "Str", "locationName": "name"},
      "ETag": {"shape": "Str", "location": "header", "locationName": "ETag"},
      "Modified": {"shape": "Time", "location": "header", "locationName": "Last-Modified"},
      "When": {"shape": "Time", "locationName": "when"},
      "Stamp": {"shape": "Time", "locationName": "stamp", "timestampFormat": "iso8601"}}},
    "Str": {"type": "string"}, "Int": {"type": "integer"}, "Time": {"type": "timestamp"},
    "StrList": {"type": "list", "member": {"shape": "Str"}},
    "StrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}}
  }})";

TEST(RestJsonDecodeTest, LabelsQueryStringsHeadersAndBody) {
  Result<std::unique_ptr<ServiceModel>> model = ServiceModel::Parse(kRestModel);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::unique_ptr<Protocol> p = Protocol::For(**model);
  ASSERT_NE(p, nullptr);

  Request get = MakeRequest("GET", "/things/a%20b", "v=3",
                            {{"If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT"},
                             {"X-Meta-Color", "red"}},
                            "");
  Result<DecodedCall> call = p->Decode(get.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->operation, "GetThing");
  EXPECT_EQ(call->input, json::parse(R"({"Id":"a b","Version":3,"Since":1704164645,
                                         "Meta":{"Color":"red"}})"));

  Request obj = MakeRequest("GET", "/things/t1/files/dir/sub/f.txt", "", json::object(), "");
  call = p->Decode(obj.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->operation, "GetObj");
  EXPECT_EQ(call->input, json::parse(R"({"Id":"t1","Key":"dir/sub/f.txt"})"));

  Request list = MakeRequest("GET", "/things", "tag=a&tag=b&other=1", json::object(), "");
  call = p->Decode(list.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->input, json::parse(R"({"Tags":["a","b"],"Rest":{"other":"1"}})"));

  Request put = MakeRequest("PUT", "/things/t2", "", json::object(),
                            R"({"name":"n","when":1704164645.25})");
  call = p->Decode(put.View());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->operation, "CreateThing");
  EXPECT_EQ(call->input, json::parse(R"({"Id":"t2","Name":"n","When":1704164645.25})"));

  Request bad_version = MakeRequest("GET", "/things/x", "v=three", json::object(), "");
  EXPECT_EQ(p->Decode(bad_version.View()).status().code(), ErrorCode::kSerialization);
}

TEST(SigningServiceOfTest, AuthorizationHeaderAndPresignedQuery) {
  Request signed_req = MakeRequest(
      "POST", "/", "",
      {{"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abcd"}},
      "");
  EXPECT_EQ(SigningServiceOf(signed_req.View()), "iam");
  Request presigned = MakeRequest(
      "GET", "/", "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
      "X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Signature=ab",
      json::object(), "");
  EXPECT_EQ(SigningServiceOf(presigned.View()), "sts");
  Request unsigned_req = MakeRequest("POST", "/", "", json::object(), "");
  EXPECT_EQ(SigningServiceOf(unsigned_req.View()), std::nullopt);
  Request malformed = MakeRequest("POST", "/", "",
                                  {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x/y"}}, "");
  EXPECT_EQ(SigningServiceOf(malformed.View()), std::nullopt);
}

}  // namespace
}  // namespace openpca::api::protocols
