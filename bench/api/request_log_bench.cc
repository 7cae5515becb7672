// What the request log line costs per request: api::RequestLogLine (straight to text) beside the
// JSON object of the same members built and dumped, as every request did before, same run.
#include <benchmark/benchmark.h>

#include "api/request_log.h"
#include "common/json_text.h"

namespace openpca::api {
namespace {

RequestLogEntry IssueCertificateEntry() {
  RequestLogEntry e;
  e.service = "acm-pca";
  e.action = "IssueCertificate";
  e.request_id = "3b174402-a9d8-4e39-b8bb-57735d22e4cd";
  e.access_key_id = "AKIACGRA5FGGVNFAL67V";
  e.principal = "arn:aws:iam::506156728244:user/admin";
  e.ca_arn = "arn:aws:acm-pca:us-east-1:506156728244:certificate-authority/"
             "9c06bc1e-e9c6-419c-9052-c360150708f8";
  e.source_ip = "127.0.0.1";
  e.http_status = 200;
  e.latency_ms = 8.123456;
  return e;
}

void BM_RequestLogLine(benchmark::State& state) {
  const RequestLogEntry e = IssueCertificateEntry();
  for (auto _ : state) benchmark::DoNotOptimize(RequestLogLine(e));
}
BENCHMARK(BM_RequestLogLine);

// The reference: the line as a JSON object, dumped (what every request did before).
void BM_RequestLogLineThroughJsonObject(benchmark::State& state) {
  const RequestLogEntry e = IssueCertificateEntry();
  for (auto _ : state) benchmark::DoNotOptimize(JsonTextReplacingInvalidUtf8(RequestLogJson(e)));
}
BENCHMARK(BM_RequestLogLineThroughJsonObject);

}  // namespace
}  // namespace openpca::api

BENCHMARK_MAIN();
