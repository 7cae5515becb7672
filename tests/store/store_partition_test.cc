// CRL partitions in every Store implementation (typed over factories): the certificates'
// crl_partition column, crl_partitions rows, ForEachRevoked per partition, PurgeCa. Plus
// SQLite-specific checks: the partition scan's plan and the migration of a 0002 database.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

CrlPartitionRecord MakePartition(const std::string& ca_id, const std::string& id,
                                 int64_t created_at_ms = 1'700'000'000'000) {
  CrlPartitionRecord p;
  p.ca_id = ca_id;
  p.partition_id = id;
  if (!id.empty()) {
    p.bucket = "crls";
    p.object_key = "crl/" + ca_id + "/" + id + ".crl";
    p.uri = "http://127.0.0.1:8080/crls/" + p.object_key;
    p.capacity = 3;
  }
  p.created_at_ms = created_at_ms;
  return p;
}

template <typename Factory>
class StorePartitionTest : public StoreTestBase<Factory> {
 protected:
  void AddCa(const std::string& ca_id) { ASSERT_OK(this->store().InsertCa(MakeCa(ca_id), {}, {})); }
  void AddCertificate(const std::string& ca_id, const std::string& serial,
                      const std::string& partition, int64_t not_after_s = 1'731'536'000) {
    CertificateRecord cert = MakeCertificate(ca_id, serial);
    cert.crl_partition = partition;
    cert.not_after_s = not_after_s;
    ASSERT_OK(this->store().InsertCertificate(cert, std::nullopt));
  }
  std::vector<std::string> RevokedSerials(const std::string& ca_id, const RevokedScan& scan) {
    std::vector<std::string> serials;
    Status s = this->store().ForEachRevoked(ca_id, scan, [&](const RevokedEntry& e) {
      serials.push_back(e.serial_hex);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return serials;
  }
};
TYPED_TEST_SUITE(StorePartitionTest, StoreImplementations);

RevokedScan InPartition(const std::string& partition,
                        std::optional<int64_t> not_after_at_least_s = std::nullopt) {
  RevokedScan scan;
  scan.crl_partition = partition;
  scan.not_after_at_least_s = not_after_at_least_s;
  return scan;
}

TYPED_TEST(StorePartitionTest, CertificateKeepsItsPartitionAcrossReopen) {
  this->AddCa("ca-1");
  this->AddCertificate("ca-1", "0a01", "p-1");
  this->AddCertificate("ca-1", "0a02", "");
  this->Reopen();
  EXPECT_EQ(this->store().GetCertificate("ca-1", "0a01")->crl_partition, "p-1");
  EXPECT_EQ(this->store().GetCertificate("ca-1", "0a02")->crl_partition, "");
}

TYPED_TEST(StorePartitionTest, PartitionRowsAreDurableAndListedCompleteFirst) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "p-b", 2000)));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "p-a", 3000)));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "", 4000)));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-2", "p-c", 1000)));
  this->Reopen();

  Result<std::vector<CrlPartitionRecord>> listed = this->store().ListCrlPartitions("ca-1");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> ids;
  for (const auto& p : *listed) ids.push_back(p.partition_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"", "p-b", "p-a"}));

  Result<CrlPartitionRecord> got = this->store().GetCrlPartition("ca-1", "p-a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  CrlPartitionRecord want = MakePartition("ca-1", "p-a", 3000);
  EXPECT_EQ(got->bucket, want.bucket);
  EXPECT_EQ(got->object_key, want.object_key);
  EXPECT_EQ(got->uri, want.uri);
  EXPECT_EQ(got->capacity, 3);
  EXPECT_EQ(got->created_at_ms, 3000);
  EXPECT_EQ(this->store().GetCrlPartition("ca-1", "p-c").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_TRUE(this->store().ListCrlPartitions("no-such-ca")->empty());
}

TYPED_TEST(StorePartitionTest, InsertingAnExistingPartitionChangesNothing) {
  this->AddCa("ca-1");
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "", 1000)));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "", 9000)));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "p-1", 1000)));
  CrlPartitionRecord again = MakePartition("ca-1", "p-1", 5000);
  again.uri = "http://elsewhere/x.crl";
  ASSERT_OK(this->store().InsertCrlPartition(again));
  EXPECT_EQ(this->store().GetCrlPartition("ca-1", "")->created_at_ms, 1000);
  EXPECT_EQ(this->store().GetCrlPartition("ca-1", "p-1")->uri, MakePartition("ca-1", "p-1").uri);
  EXPECT_EQ(this->store().ListCrlPartitions("ca-1")->size(), 2u);
}

TYPED_TEST(StorePartitionTest, InsertPartitionErrors) {
  EXPECT_EQ(this->store().InsertCrlPartition(MakePartition("no-such-ca", "p-1")).code(),
            ErrorCode::kResourceNotFound);
  this->AddCa("ca-1");
  CrlPartitionRecord bad = MakePartition("ca-1", "p-1");
  bad.capacity = -1;
  EXPECT_EQ(this->store().InsertCrlPartition(bad).code(), ErrorCode::kInvalidArgs);
  EXPECT_TRUE(this->store().ListCrlPartitions("ca-1")->empty());
}

TYPED_TEST(StorePartitionTest, ScanPerPartitionListsOnlyThatPartitionInStableOrder) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  this->AddCertificate("ca-1", "01", "p-1");
  this->AddCertificate("ca-1", "02", "p-2");
  this->AddCertificate("ca-1", "03", "p-1");
  this->AddCertificate("ca-1", "04", "");
  this->AddCertificate("ca-1", "05", "p-1", /*not_after_s=*/1000);
  this->AddCertificate("ca-1", "06", "p-1");  // never revoked
  this->AddCertificate("ca-2", "01", "p-1");  // same partition id under another CA
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "03", 100, 1));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "01", 200, 4));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "02", 150, 0));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "04", 50, 0));
  ASSERT_OK(this->store().RevokeCertificate("ca-1", "05", 300, 0));
  ASSERT_OK(this->store().RevokeCertificate("ca-2", "01", 10, 0));

  EXPECT_EQ(this->RevokedSerials("ca-1", InPartition("p-1")),
            (std::vector<std::string>{"03", "01", "05"}));
  EXPECT_EQ(this->RevokedSerials("ca-1", InPartition("p-1", 2000)),
            (std::vector<std::string>{"03", "01"}));
  EXPECT_EQ(this->RevokedSerials("ca-1", InPartition("p-2")), (std::vector<std::string>{"02"}));
  EXPECT_EQ(this->RevokedSerials("ca-1", InPartition("")), (std::vector<std::string>{"04"}));
  EXPECT_TRUE(this->RevokedSerials("ca-1", InPartition("p-none")).empty());
  // Without a partition the scan is the complete CRL's: every revoked certificate of the CA.
  EXPECT_EQ(this->RevokedSerials("ca-1", RevokedScan{}),
            (std::vector<std::string>{"04", "03", "02", "01", "05"}));
}

TYPED_TEST(StorePartitionTest, PurgeCaRemovesItsPartitions) {
  this->AddCa("ca-1");
  this->AddCa("ca-2");
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-1", "p-1")));
  ASSERT_OK(this->store().InsertCrlPartition(MakePartition("ca-2", "p-2")));
  ASSERT_OK(this->store().PurgeCa("ca-1"));
  EXPECT_TRUE(this->store().ListCrlPartitions("ca-1")->empty());
  EXPECT_EQ(this->store().ListCrlPartitions("ca-2")->size(), 1u);
}

// --- SQLite only ---

std::string QueryPlan(SqliteConnection& conn, const std::string& sql) {
  Result<SqliteStatement> stmt = conn.Prepare("EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  std::string plan;
  while (stmt.ok() && stmt->Step().value()) plan += stmt->ColumnText(3) + "\n";
  return plan;
}

// A partition's scan reads its covering index alone, in order: no table rows, no sort, and never
// the rows of the CA's other partitions.
TEST(SqlitePartitionTest, PartitionScanReadsItsCoveringIndexWithoutSorting) {
  TempDir dir;
  std::string path = dir.File("db");
  ASSERT_TRUE(SqliteStore::Open(path).ok());
  Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, false, 1000);
  ASSERT_TRUE(conn.ok());
  for (const char* filter : {"", " AND not_after_s >= ?3"}) {
    std::string plan = QueryPlan(
        **conn, std::string("SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), "
                            "not_after_s FROM certificates WHERE ca_id = ?1 AND "
                            "crl_partition = ?2 AND revoked_at_ms IS NOT NULL") +
                    filter + " ORDER BY revoked_at_ms, serial_hex");
    EXPECT_NE(plan.find("USING COVERING INDEX certificates_revoked_by_partition (ca_id=? AND "
                        "crl_partition=?"),
              std::string::npos)
        << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

// A database written by the previous schema (0001 + 0002) opens under 0003: its certificates name
// the complete CRL, the CAs that have certificates get the "" row (so their complete CRL keeps
// being published whatever CrlType they switch to), revocations are kept.
TEST(SqlitePartitionTest, MigratesA0002Database) {
  TempDir dir;
  std::string path = dir.File("db");
  {
    Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, true, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::span<const Migration> all = SqliteMigrations();
    ASSERT_GE(all.size(), 3u);
    ASSERT_EQ(all[2].name, "crl_partitions");
    ASSERT_OK(ApplySqliteMigrations(**conn, all.first(2), 1000));
    ASSERT_OK((*conn)->ExecuteScript(
        "PRAGMA foreign_keys = ON;"
        "INSERT INTO certificate_authorities VALUES ('ca-1', 'arn1', '111122223333', 'ROOT', "
        "'ACTIVE', '', '{}', '', 'FIPS_140_2_LEVEL_3_OR_HIGHER', 'GENERAL_PURPOSE', 'k1', '', "
        "x'', '', '', NULL, NULL, 1, 1, NULL, '', 1);"
        "INSERT INTO certificate_authorities VALUES ('ca-2', 'arn2', '111122223333', 'ROOT', "
        "'ACTIVE', '', '{}', '', 'FIPS_140_2_LEVEL_3_OR_HIGHER', 'GENERAL_PURPOSE', 'k2', '', "
        "x'', '', '', NULL, NULL, 1, 1, NULL, '', 1);"
        "INSERT INTO certificates VALUES ('ca-1', '0a01', x'30', 1, 2000000000, 1, 't', 500, 1);"
        "INSERT INTO certificates VALUES ('ca-1', '0a02', x'30', 1, 2000000000, 1, 't', NULL, "
        "NULL);"));
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<CertificateRecord> cert = (*store)->GetCertificate("ca-1", "0a01");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->crl_partition, "");
  EXPECT_EQ(cert->revoked_at_ms, std::optional<int64_t>(500));
  Result<std::vector<CrlPartitionRecord>> rows = (*store)->ListCrlPartitions("ca-1");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].partition_id, "");
  EXPECT_TRUE((*store)->ListCrlPartitions("ca-2")->empty()) << "a CA without certificates";
  RevokedScan complete_only;
  complete_only.crl_partition = "";
  std::vector<std::string> serials;
  ASSERT_OK((*store)->ForEachRevoked("ca-1", complete_only, [&](const RevokedEntry& e) {
    serials.push_back(e.serial_hex);
    return Status::Ok();
  }));
  EXPECT_EQ(serials, (std::vector<std::string>{"0a01"}));
  // New certificates carry their partition.
  CertificateRecord fresh = MakeCertificate("ca-2", "0b01");
  fresh.crl_partition = "p-1";
  ASSERT_OK((*store)->InsertCertificate(fresh, std::nullopt));
  EXPECT_EQ((*store)->GetCertificate("ca-2", "0b01")->crl_partition, "p-1");
}

}  // namespace
}  // namespace openpca::store::testing
