#include "store/sqlite/sqlite_facts_generation_store.h"

namespace openpca::store {

std::unique_ptr<FactsGenerationWatch> MakeSqliteFactsGeneration(SqliteStore& db,
                                                                std::chrono::milliseconds poll) {
  SqliteReadPool& reads = db.read_pool();
  auto watch = std::make_unique<FactsGenerationWatch>(
      [&reads]() -> Result<int64_t> {
        ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads.Acquire());
        ASSIGN_OR_RETURN(SqliteStatement stmt, conn->Prepare(kSelectResourceFactsGeneration));
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) return InternalError("resource_facts_generation has no row");
        return stmt.ColumnInt64(0);
      },
      poll);
  db.writer().SetCommitProbe(kSelectResourceFactsGeneration, watch->Reporter());
  return watch;
}

}  // namespace openpca::store
