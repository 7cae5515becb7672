#include "store/postgres/pg_facts_generation_store.h"

namespace openpca::store {

std::unique_ptr<FactsGenerationWatch> MakePgFactsGeneration(PgStore& db,
                                                            std::chrono::milliseconds poll) {
  PgPool& reads = db.read_pool();
  auto watch = std::make_unique<FactsGenerationWatch>(
      [&reads]() -> Result<int64_t> {
        return WithPgReader(reads, [](PgConnection& conn) -> Result<int64_t> {
          ASSIGN_OR_RETURN(PgResult rows, conn.Exec(kSelectResourceFactsGeneration));
          if (rows.rows() != 1) return InternalError("resource_facts_generation has no row");
          return rows.Int64(0, 0);
        });
      },
      poll);
  db.writer().SetCommitProbe(kSelectResourceFactsGeneration,
                             [report = watch->Reporter()](const PgResult& rows) {
                               if (rows.rows() == 1) report(rows.Int64(0, 0));
                             });
  return watch;
}

}  // namespace openpca::store
