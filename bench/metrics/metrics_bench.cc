// What the metrics cost on the request path: the instrument calls the pipeline, the raw routes
// and the issuance counter make per request, alone and from several threads at once (contention
// on the same series), and a scrape. See docs/benchmarks.md "Metrics instrumentation".
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "api/digest.h"
#include "api/model.h"
#include "api/request_metrics.h"
#include "metrics/registry.h"

namespace openpca {
namespace {

metrics::Registry& SharedRegistry() {
  static metrics::Registry* r = new metrics::Registry();
  return *r;
}

// One relaxed increment of a sharded counter.
void BM_CounterInc(benchmark::State& state) {
  static metrics::Counter& c = SharedRegistry().AddCounter("bench_counter_total", "B.");
  for (auto _ : state) c.Inc();
}
BENCHMARK(BM_CounterInc)->ThreadRange(1, 8)->UseRealTime();

// One histogram observation (14 latency buckets).
void BM_HistogramObserve(benchmark::State& state) {
  static metrics::Histogram& h =
      SharedRegistry().AddHistogram("bench_seconds", "B.", metrics::LatencyBuckets());
  double v = 0.003;
  for (auto _ : state) {
    h.Observe(v);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_HistogramObserve)->ThreadRange(1, 8)->UseRealTime();

// A labelled series looked up and incremented, as the issuance counter does ({ca}).
void BM_FamilyLookupInc(benchmark::State& state) {
  static metrics::Family<metrics::Counter>& f =
      SharedRegistry().AddCounterFamily("bench_issued_total", "B.", {"ca"});
  const std::string ca = "7f3c2a10-5b8e-4d1e-9a55-0c9f1b2d3e4f";
  for (auto _ : state) f.With({ca}).Inc();
}
BENCHMARK(BM_FamilyLookupInc)->ThreadRange(1, 8)->UseRealTime();

// Everything Pipeline::Finish adds per call: the model check of the operation name, the counter
// {service, operation, code, error_class} and the latency histogram {service, operation}.
void BM_PipelineRecordCall(benchmark::State& state) {
  static api::CallMetrics* m = new api::CallMetrics(SharedRegistry());
  const api::ServiceModel& acm_pca = api::ServiceModel::AcmPca();
  const auto started = std::chrono::steady_clock::now();
  for (auto _ : state) m->RecordCall(acm_pca, "IssueCertificate", ErrorCode::kOk, 200, started);
}
BENCHMARK(BM_PipelineRecordCall)->ThreadRange(1, 8)->UseRealTime();

// What a raw route (S3, OCSP) adds per request: counter and histogram, pre-resolved for 200.
void BM_RawRouteRecord(benchmark::State& state) {
  static api::RouteMetrics* m = new api::RouteMetrics(SharedRegistry());
  static api::RouteMetrics::Route route = m->ForRoute("POST /ocsp");
  const auto started = std::chrono::steady_clock::now();
  for (auto _ : state) m->RecordRoute(route, 200, started);
}
BENCHMARK(BM_RawRouteRecord)->ThreadRange(1, 8)->UseRealTime();

// One scrape of a registry with ~300 series (4 services x 25 operations x 3 outcomes + latency).
void BM_Expose(benchmark::State& state) {
  metrics::Registry r;
  auto& calls = r.AddCounterFamily("c_total", "C.", {"service", "operation", "code"});
  auto& seconds =
      r.AddHistogramFamily("d_seconds", "D.", {"service", "operation"}, metrics::LatencyBuckets());
  for (int s = 0; s < 4; ++s) {
    for (int o = 0; o < 25; ++o) {
      const std::string service = "svc" + std::to_string(s);
      const std::string op = "Operation" + std::to_string(o);
      for (const char* code : {"200", "400", "403"}) calls.With({service, op, code}).Inc();
      seconds.With({service, op}).Observe(0.01);
    }
  }
  size_t bytes = 0;
  for (auto _ : state) bytes = r.Expose().size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Expose)->Unit(benchmark::kMicrosecond);

// Reference in the same run: SHA-256 of a 1 KiB body, which SigV4 verification does for every
// request (and far less than the signature an IssueCertificate makes).
void BM_ReferenceSha256Of1KiB(benchmark::State& state) {
  const std::string body(1024, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(api::Sha256(body));
}
BENCHMARK(BM_ReferenceSha256Of1KiB);

}  // namespace
}  // namespace openpca

BENCHMARK_MAIN();
