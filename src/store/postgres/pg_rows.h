// Row mapping between store records (store/records.h) and PostgreSQL statements: the functions
// that add a record's fields as parameters and read them back from a result row. The column
// lists are those of store/record_columns.h; $N is their N-th column. Pure functions.
#pragma once

#include "store/postgres/pg_connection.h"
#include "store/record_columns.h"
#include "store/records.h"

namespace openpca::store {

// Adds every field of `ca` as $1..$22, with `version` in place of ca.version.
void AddCaParams(PgParams& params, const CaRecord& ca, int64_t version);
CaRecord ReadCaRow(const PgResult& rows, int row);

void AddCertificateParams(PgParams& params, const CertificateRecord& cert);
CertificateRecord ReadCertificateRow(const PgResult& rows, int row);

void AddCrlPartitionParams(PgParams& params, const CrlPartitionRecord& partition);
CrlPartitionRecord ReadCrlPartitionRow(const PgResult& rows, int row);

}  // namespace openpca::store
