// Row mapping between store records (store/records.h) and SQLite statements: the functions that
// bind a record's fields as parameters or read them back from a result row. Pure functions;
// thread-compatible like the statements they operate on.
#pragma once

#include "store/record_columns.h"
#include "store/records.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

// The column lists (kCaColumns, ...) are in store/record_columns.h; ?N is their N-th column.

// Binds every field of `ca` to ?1..?22, with `version` in place of ca.version.
void BindCa(SqliteStatement& stmt, const CaRecord& ca, int64_t version);
CaRecord ReadCa(const SqliteStatement& stmt);

void BindCertificate(SqliteStatement& stmt, const CertificateRecord& cert);
CertificateRecord ReadCertificate(const SqliteStatement& stmt);

void BindCrlPartition(SqliteStatement& stmt, const CrlPartitionRecord& partition);
CrlPartitionRecord ReadCrlPartition(const SqliteStatement& stmt);

}  // namespace openpca::store
