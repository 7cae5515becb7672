// PostgresServer: one real PostgreSQL server private to this test process, for the PostgreSQL
// cases of the typed Store suites and the PgStore tests.
//
// Started lazily by the first Get(): initdb into a fresh temporary directory, then pg_ctl start
// with the server listening on a unix socket in that directory only (no TCP port), fsync on.
// Stopped (pg_ctl stop -m immediate) and its directory removed when the process that started it
// exits; a forked child never stops it. initdb and postgres refuse to run as root: when the tests
// run as root the directory is given to the `postgres` system user and every server command runs
// through runuser (or setpriv) as that user. Binaries come from $OPENPCA_PG_BINDIR,
// /usr/lib/postgresql/15/bin or `pg_config --bindir`.
//
// Thread-safe after Get() returns; meant for the test thread.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace openpca::store::testing {

class PostgresServer {
 public:
  // The process's server, started on first call. nullptr when no server can run here (binaries
  // or the postgres user missing, initdb or start failed); *why then says why.
  static PostgresServer* Get(std::string* why);

  // A libpq connection string for `dbname`, as the superuser "postgres", over the socket.
  std::string ConnInfo(std::string_view dbname) const;
  // Creates a fresh, empty database ("t_<n>") and returns its name. Errors: kInternal.
  Result<std::string> CreateDatabase();
  // Creates a fresh database ("t_<n>") with every migration of this binary applied, copied from a
  // template that PgStore::Open migrated once per process (a test then pays no DDL commits).
  // Errors: kInternal.
  Result<std::string> CreateMigratedDatabase();
  // Drops a database, ending its remaining sessions. Errors: kInternal.
  Status DropDatabase(const std::string& name);
  // Runs `sql` (one or more statements) as the superuser in `dbname`. Errors: kInternal.
  Status Execute(std::string_view dbname, const std::string& sql);
  // The first column of the first row of `sql` run in `dbname`, as text. Errors: kInternal.
  Result<std::string> QueryValue(std::string_view dbname, const std::string& sql);
  // Stops the server the way a crash would (immediate: no checkpoint, no goodbye to clients) and
  // starts it again on the same data. Errors: kInternal.
  Status CrashAndRestart();

  ~PostgresServer();

 private:
  PostgresServer() = default;
  Status Start();
  void Stop();
  // Runs a server binary (as the postgres user when we are root), output appended to the log.
  Status RunTool(const std::string& tool, const std::vector<std::string>& args) const;

  std::string bindir_;
  std::string dir_;  // socket directory, holds data/ and the logs
  bool as_root_ = false;
  int owner_pid_ = 0;
  bool running_ = false;
  std::mutex mu_;
  int next_database_ = 0;       // guarded by mu_
  bool have_template_ = false;  // guarded by mu_
};

}  // namespace openpca::store::testing
