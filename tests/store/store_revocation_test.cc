// Revocation and CRL state of every Store implementation (typed over factories): RevokeCertificate,
// ForEachRevoked, CountRevoked, NextCrlNumber. Plus SQLite-specific checks of the CRL scan's plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

template <typename Factory>
class StoreRevocationTest : public StoreTestBase<Factory> {
 protected:
  void AddCa(const std::string& ca_id) { ASSERT_OK(this->store().InsertCa(MakeCa(ca_id), {}, {})); }
  void AddCertificate(const std::string& ca_id, const std::string& serial,
                      int64_t not_after_s = 1'731'536'000) {
    CertificateRecord cert = MakeCertificate(ca_id, serial);
    cert.not_after_s = not_after_s;
    ASSERT_OK(this->store().InsertCertificate(cert, std::nullopt));
  }
  std::vector<RevokedEntry> Revoked(const std::string& ca_id, const RevokedScan& scan = {}) {
    std::vector<RevokedEntry> entries;
    Status s = this->store().ForEachRevoked(ca_id, scan, [&](const RevokedEntry& e) {
      entries.push_back(e);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return entries;
  }
};
TYPED_TEST_SUITE(StoreRevocationTest, StoreImplementations);

std::vector<std::string> Serials(const std::vector<RevokedEntry>& entries) {
  std::vector<std::string> serials;
  for (const RevokedEntry& e : entries) serials.push_back(e.serial_hex);
  return serials;
}

// --- RevokeCertificate ---

TYPED_TEST(StoreRevocationTest, RevokeMarksTheCertificateDurably) {
  this->AddCa("ca-1");
  this->AddCertificate("ca-1", "0a01");
  this->AddCertificate("ca-1", "0a02");

  ASSERT_OK(this->store().RevokeCertificate("ca-1", "0a01", 1'700'000'500'123, 1));

  this->Reopen();
  Result<CertificateRecord> got = this->store().GetCertificate("ca-1", "0a01");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->revoked_at_ms, std::optional<int64_t>(1'700'000'500'123));
  EXPECT_EQ(got->revocation_reason, std::optional<int>(1));
  got = this->store().GetCertificate("ca-1", "0a02");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->revoked_at_ms.has_value());
  EXPECT_FALSE(got->revocation_reason.has_value());
}

TYPED_TEST(StoreRevocationTest, RevokeUnknownCertificateOrCaIsNotFound) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  this->AddCertificate("ca-1", "01");
  EXPECT_EQ(this->store().RevokeCertificate("ca-1", "02", 1000, 0).code(),
            ErrorCode::kResourceNotFound);
  // The serial exists, under another CA.
  EXPECT_EQ(this->store().RevokeCertificate("ca-2", "01", 1000, 0).code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->store().RevokeCertificate("no-such-ca", "01", 1000, 0).code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->store().CountRevoked("ca-1").value(), 0);
}

TYPED_TEST(StoreRevocationTest, RevokeTwiceIsAlreadyProcessedAndKeepsTheFirst) {
  this->AddCa("ca-1");
  this->AddCertificate("ca-1", "01");
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "01", 5000, 4));
  EXPECT_EQ(this->store().RevokeCertificate("ca-1", "01", 9000, 1).code(),
            ErrorCode::kRequestAlreadyProcessed);
  Result<CertificateRecord> got = this->store().GetCertificate("ca-1", "01");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revoked_at_ms, std::optional<int64_t>(5000));
  EXPECT_EQ(got->revocation_reason, std::optional<int>(4));
}

TYPED_TEST(StoreRevocationTest, RevokeRejectsCodesThatAreNotCrlReasons) {
  this->AddCa("ca-1");
  this->AddCertificate("ca-1", "01");
  for (int reason : {-1, 7, 11, 255}) {
    EXPECT_EQ(this->store().RevokeCertificate("ca-1", "01", 1000, reason).code(),
              ErrorCode::kInvalidArgs)
        << reason;
  }
  EXPECT_FALSE(this->store().GetCertificate("ca-1", "01")->revoked_at_ms.has_value());
  for (int reason : {0, 1, 2, 3, 4, 5, 6, 8, 9, 10}) {
    std::string serial = "1" + std::to_string(reason);
    this->AddCertificate("ca-1", serial);
    EXPECT_OK(this->store().RevokeCertificate("ca-1", serial, 1000, reason));
  }
  EXPECT_EQ(this->store().CountRevoked("ca-1").value(), 10);
}

TYPED_TEST(StoreRevocationTest, ConcurrentRevocationsAllSucceed) {
  this->AddCa("ca-1");
  constexpr int kCerts = 64;
  for (int i = 0; i < kCerts; ++i) this->AddCertificate("ca-1", "c" + std::to_string(i));

  std::vector<Status> results(kCerts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCerts; ++i) {
    threads.emplace_back([&, i] {
      results[i] = this->store().RevokeCertificate("ca-1", "c" + std::to_string(i), 1000 + i, 1);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  EXPECT_EQ(this->store().CountRevoked("ca-1").value(), kCerts);
  std::vector<RevokedEntry> entries = this->Revoked("ca-1");
  ASSERT_EQ(entries.size(), static_cast<size_t>(kCerts));
  for (int i = 0; i < kCerts; ++i) EXPECT_EQ(entries[i].revoked_at_ms, 1000 + i);
}

// --- ForEachRevoked / CountRevoked ---

TYPED_TEST(StoreRevocationTest, ForEachRevokedListsThatCaInStableOrder) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  for (const char* serial : {"05", "04", "03", "02", "01", "ff"}) {
    this->AddCertificate("ca-1", serial, 2'000'000'000);
  }
  this->AddCertificate("ca-2", "01");
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "05", 3000, 1));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "03", 1000, 4));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "04", 2000, 0));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "01", 2000, 9));  // same time as "04"
  ASSERT_OK(this->store().RevokeCertificate("ca-2", "01", 500, 1));
  // "02" and "ff" stay valid.

  std::vector<RevokedEntry> entries = this->Revoked("ca-1");
  EXPECT_EQ(Serials(entries), (std::vector<std::string>{"03", "01", "04", "05"}));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].revoked_at_ms, 1000);
  EXPECT_EQ(entries[0].reason, 4);
  EXPECT_EQ(entries[0].not_after_s, 2'000'000'000);
  EXPECT_EQ(entries[1].reason, 9);
  EXPECT_EQ(entries[2].reason, 0);
  EXPECT_EQ(entries[3].revoked_at_ms, 3000);
  EXPECT_EQ(this->store().CountRevoked("ca-1").value(), 4);

  // Same order on every call and after reopening.
  EXPECT_EQ(Serials(this->Revoked("ca-1")), Serials(entries));
  this->Reopen();
  EXPECT_EQ(Serials(this->Revoked("ca-1")), Serials(entries));

  EXPECT_EQ(Serials(this->Revoked("ca-2")), (std::vector<std::string>{"01"}));
  EXPECT_TRUE(this->Revoked("no-such-ca").empty());
  EXPECT_EQ(this->store().CountRevoked("no-such-ca").value(), 0);
}

TYPED_TEST(StoreRevocationTest, ForEachRevokedStopsAtTheCallbacksError) {
  this->AddCa("ca-1");
  for (int i = 0; i < 5; ++i) {
    std::string serial = "0" + std::to_string(i);
    this->AddCertificate("ca-1", serial);
    ASSERT_OK(this->store().RevokeCertificate("ca-1", serial, 1000 + i, 1));
  }
  int calls = 0;
  Status s = this->store().ForEachRevoked("ca-1", {}, [&](const RevokedEntry&) {
    return ++calls == 2 ? Status(ErrorCode::kLimitExceeded, "stop") : Status::Ok();
  });
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(calls, 2);
  // The read connection went back to the pool in a usable state.
  EXPECT_EQ(this->Revoked("ca-1").size(), 5u);
}

TYPED_TEST(StoreRevocationTest, ForEachRevokedCanSkipCertificatesExpiredBeforeACutoff) {
  this->AddCa("ca-1");
  this->AddCertificate("ca-1", "01", 1000);
  this->AddCertificate("ca-1", "02", 2000);
  this->AddCertificate("ca-1", "03", 3000);
  for (const char* serial : {"01", "02", "03"}) {
    ASSERT_OK(this->store().RevokeCertificate("ca-1", serial, 10, 1));
  }
  EXPECT_EQ(Serials(this->Revoked("ca-1")), (std::vector<std::string>{"01", "02", "03"}));
  auto unexpired_at = [](int64_t s) {
    RevokedScan scan;
    scan.not_after_at_least_s = s;
    return scan;
  };
  EXPECT_EQ(Serials(this->Revoked("ca-1", unexpired_at(2000))),
            (std::vector<std::string>{"02", "03"}));
  EXPECT_EQ(Serials(this->Revoked("ca-1", unexpired_at(3001))), (std::vector<std::string>{}));
  // CountRevoked counts expired ones too.
  EXPECT_EQ(this->store().CountRevoked("ca-1").value(), 3);
}

TYPED_TEST(StoreRevocationTest, RevokedRowWithoutReasonIsListedAsUnspecified) {
  this->AddCa("ca-1");
  CertificateRecord cert = MakeCertificate("ca-1", "01");
  cert.revoked_at_ms = 777;  // inserted already revoked, with no reason recorded
  ASSERT_OK(this->store().InsertCertificate(cert, std::nullopt));
  std::vector<RevokedEntry> entries = this->Revoked("ca-1");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].revoked_at_ms, 777);
  EXPECT_EQ(entries[0].reason, 0);
}

TYPED_TEST(StoreRevocationTest, ScanSeesOneSnapshotWhileOthersReadAndWrite) {
  this->AddCa("ca-1");
  for (int i = 0; i < 4; ++i) {
    std::string serial = "0" + std::to_string(i);
    this->AddCertificate("ca-1", serial);
    ASSERT_OK(this->store().RevokeCertificate("ca-1", serial, 1000 + i, 1));
  }
  this->AddCertificate("ca-1", "99");

  std::vector<std::string> seen;
  Status s = this->store().ForEachRevoked("ca-1", {}, [&](const RevokedEntry& e) -> Status {
    seen.push_back(e.serial_hex);
    if (seen.size() == 1) {
      // A read and a committed revocation in the middle of the scan: neither waits for the scan,
      // and the new revocation (which would sort last) is not part of this snapshot.
      RETURN_IF_ERROR(this->store().GetCertificate("ca-1", "02").status());
      RETURN_IF_ERROR(this->store().RevokeCertificate("ca-1", "99", 9000, 1));
    }
    return Status::Ok();
  });
  ASSERT_OK(s);
  EXPECT_EQ(seen, (std::vector<std::string>{"00", "01", "02", "03"}));
  EXPECT_EQ(this->Revoked("ca-1").size(), 5u);
}

// --- NextCrlNumber ---

TYPED_TEST(StoreRevocationTest, CrlNumbersStrictlyIncreaseAcrossRestarts) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 0).value(), 1);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 0).value(), 2);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 1'519'676'905'984).value(), 1'519'676'905'984);
  // The clock went backwards, or two CRLs in the same millisecond: still strictly increasing.
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 1'519'676'905'000).value(), 1'519'676'905'985);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 1'519'676'905'985).value(), 1'519'676'905'986);

  this->Reopen();
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 0).value(), 1'519'676'905'987);
  // Each CA has its own sequence.
  EXPECT_EQ(this->store().NextCrlNumber("ca-2", 10).value(), 10);
}

TYPED_TEST(StoreRevocationTest, CrlNumberErrors) {
  this->AddCa("ca-1");
  EXPECT_EQ(this->store().NextCrlNumber("no-such-ca", 1).status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", -1).status().code(), ErrorCode::kInvalidArgs);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", kMax).value(), kMax);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 0).status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", kMax).status().code(), ErrorCode::kLimitExceeded);
}

TYPED_TEST(StoreRevocationTest, ConcurrentCrlNumbersAreDistinct) {
  this->AddCa("ca-1");
  constexpr int kThreads = 16;
  std::vector<int64_t> numbers(kThreads, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<int64_t> n = this->store().NextCrlNumber("ca-1", 100);
      if (n.ok()) numbers[i] = *n;
    });
  }
  for (std::thread& t : threads) t.join();
  std::sort(numbers.begin(), numbers.end());
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(numbers[i], 100 + i);
}

TYPED_TEST(StoreRevocationTest, PurgeCaRemovesItsCrlState) {
  this->AddCa("ca-1");
  ASSERT_EQ(this->store().NextCrlNumber("ca-1", 50).value(), 50);
  ASSERT_OK(this->store().PurgeCa("ca-1"));
  this->AddCa("ca-1");
  EXPECT_EQ(this->store().NextCrlNumber("ca-1", 0).value(), 1);
}

// --- SQLite only ---

// Revocations go through the writer thread: ones queued together commit in one transaction, and a
// failing one (already revoked) is undone alone.
TEST(SqliteRevocationTest, QueuedRevocationsShareOneCommit) {
  TempDir dir;
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(dir.File("db"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = **opened;
  ASSERT_OK(store.InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  std::vector<std::string> serials = {"01", "02", "03", "04", "05", "06"};
  for (const std::string& serial : serials) {
    ASSERT_OK(store.InsertCertificate(MakeCertificate("ca-1", serial), std::nullopt));
  }
  ASSERT_OK(store.RevokeCertificate("ca-1", "03", 1, 1));

  store.PauseWritesForTesting();
  int64_t commits_before = store.commit_count();
  std::vector<Status> results(serials.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < serials.size(); ++i) {
    threads.emplace_back(
        [&, i] { results[i] = store.RevokeCertificate("ca-1", serials[i], 2, 4); });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store.QueuedWritesForTesting() < serials.size() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(store.QueuedWritesForTesting(), serials.size());
  store.ResumeWritesForTesting();
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(store.commit_count() - commits_before, 1);
  for (size_t i = 0; i < serials.size(); ++i) {
    EXPECT_EQ(results[i].code(),
              serials[i] == "03" ? ErrorCode::kRequestAlreadyProcessed : ErrorCode::kOk);
  }
  EXPECT_EQ(store.GetCertificate("ca-1", "03")->revoked_at_ms, std::optional<int64_t>(1));
  EXPECT_EQ(store.CountRevoked("ca-1").value(), 6);
}

// The CRL scan must read the covering index alone and in its order: no table lookups (rows hold
// the certificate DER) and no sort of a million rows.
TEST(SqliteRevocationTest, CrlScanReadsTheCoveringIndexWithoutSorting) {
  TempDir dir;
  std::string path = dir.File("db");
  {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, false, 1000);
  ASSERT_TRUE(conn.ok());
  for (const char* filter : {"", " AND not_after_s >= ?2"}) {
    std::string sql = std::string(
                          "EXPLAIN QUERY PLAN SELECT serial_hex, revoked_at_ms, "
                          "COALESCE(revocation_reason, 0), not_after_s FROM certificates WHERE "
                          "ca_id = ?1 AND revoked_at_ms IS NOT NULL") +
                      filter + " ORDER BY revoked_at_ms, serial_hex";
    Result<SqliteStatement> stmt = (*conn)->Prepare(sql);
    ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
    std::string plan;
    while (stmt->Step().value()) plan += stmt->ColumnText(3) + "\n";
    EXPECT_NE(plan.find("USING COVERING INDEX certificates_revoked_entries"), std::string::npos)
        << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

}  // namespace
}  // namespace openpca::store::testing
