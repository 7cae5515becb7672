#include "store/postgres/pg_facts_generation_store.h"

namespace openpca::store {

Result<int64_t> PgFactsGenerationStore::ResourceFactsGeneration() {
  return WithPgReader(reads_, [](PgConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT value FROM resource_facts_generation WHERE id = 1"));
    if (rows.rows() != 1) return InternalError("resource_facts_generation has no row");
    return rows.Int64(0, 0);
  });
}

}  // namespace openpca::store
