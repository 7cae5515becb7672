#include "store/sqlite/sqlite_facts_generation_store.h"

namespace openpca::store {

Result<int64_t> SqliteFactsGenerationStore::ResourceFactsGeneration() {
  ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads_.Acquire());
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn->Prepare("SELECT value FROM resource_facts_generation WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return InternalError("resource_facts_generation has no row");
  return stmt.ColumnInt64(0);
}

}  // namespace openpca::store
