#include "postgres_server.h"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

extern char** environ;

namespace openpca::store::testing {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

bool HasServerBinaries(const std::string& bindir) {
  return !bindir.empty() && IsExecutable(bindir + "/initdb") && IsExecutable(bindir + "/pg_ctl") &&
         IsExecutable(bindir + "/postgres");
}

std::string FindBindir() {
  if (const char* env = getenv("OPENPCA_PG_BINDIR"); env != nullptr && *env != '\0') return env;
  if (HasServerBinaries("/usr/lib/postgresql/15/bin")) return "/usr/lib/postgresql/15/bin";
  std::string out;
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r"); p != nullptr) {
    char buf[512];
    while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The last lines of a log, to say why a server command failed.
std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  constexpr size_t kMax = 1500;
  return text.size() > kMax ? text.substr(text.size() - kMax) : text;
}

}  // namespace

PostgresServer* PostgresServer::Get(std::string* why) {
  static std::mutex mu;
  static std::unique_ptr<PostgresServer> server;
  static std::string failure;
  static bool tried = false;
  std::lock_guard<std::mutex> lock(mu);
  if (!tried) {
    tried = true;
    std::unique_ptr<PostgresServer> candidate(new PostgresServer());
    Status started = candidate->Start();
    if (started.ok()) {
      server = std::move(candidate);
    } else {
      failure = started.message();
      fprintf(stderr,
              "\n*** PostgreSQL test server unavailable: the PostgreSQL cases are SKIPPED ***\n"
              "*** %s ***\n\n",
              failure.c_str());
    }
  }
  if (server == nullptr && why != nullptr) *why = "no PostgreSQL test server: " + failure;
  return server.get();
}

Status PostgresServer::RunTool(const std::string& tool,
                               const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (as_root_) {
    // initdb and postgres refuse to run as root.
    if (IsExecutable("/usr/sbin/runuser")) {
      argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    } else if (IsExecutable("/sbin/runuser")) {
      argv = {"/sbin/runuser", "-u", "postgres", "--"};
    } else {
      argv = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
    }
  }
  argv.push_back(bindir_ + "/" + tool);
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);

  const std::string log = dir_ + "/tools.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The tools check that they can read their working directory; ours may be root's.
  posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
  pid_t pid = 0;
  int rc = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return InternalError("cannot run " + argv[0] + ": " + strerror(rc));
  int wstatus = 0;
  if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return InternalError(tool + " failed (status " + std::to_string(wstatus) + "): " + Tail(log));
  }
  return Status::Ok();
}

Status PostgresServer::Start() {
  bindir_ = FindBindir();
  if (!HasServerBinaries(bindir_)) {
    return InternalError(
        "initdb, pg_ctl and postgres not found (install postgresql-15, or set "
        "OPENPCA_PG_BINDIR)");
  }
  as_root_ = geteuid() == 0;
  const passwd* pg_user = nullptr;
  if (as_root_) {
    pg_user = getpwnam("postgres");
    if (pg_user == nullptr) {
      return InternalError("running as root, and there is no `postgres` user to run the server");
    }
  }
  // A unix socket path is at most 107 bytes: a long $TMPDIR falls back to /tmp.
  std::string base = "/tmp";
  if (const char* tmp = getenv("TMPDIR"); tmp != nullptr && *tmp != '\0' && strlen(tmp) < 60) {
    base = tmp;
  }
  std::string pattern = base + "/openpca_pg_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return InternalError("mkdtemp failed in " + base);
  dir_ = pattern;
  owner_pid_ = getpid();
  if (as_root_ && chown(dir_.c_str(), pg_user->pw_uid, pg_user->pw_gid) != 0) {
    return InternalError("cannot give " + dir_ + " to the postgres user");
  }

  const std::string data = dir_ + "/data";
  RETURN_IF_ERROR(RunTool("initdb", {"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                     "--locale=C", "--no-sync", "--no-instructions"}));
  {
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "\n# openpca tests\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir_ << "'\n"
         << "fsync = on\n"
         << "synchronous_commit = on\n"
         << "shared_buffers = 32MB\n"
         // Small test data; the machine's cores are shared.
         << "max_parallel_workers_per_gather = 0\n";
    if (!conf) return InternalError("cannot write postgresql.conf");
  }
  RETURN_IF_ERROR(
      RunTool("pg_ctl", {"-D", data, "-l", dir_ + "/server.log", "-w", "-t", "60", "start"}));
  running_ = true;
  return Status::Ok();
}

void PostgresServer::Stop() {
  // A forked child (a test's writer process) shares this object but not the server.
  if (getpid() != owner_pid_) return;
  if (running_) {
    (void)RunTool("pg_ctl", {"-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
    running_ = false;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

PostgresServer::~PostgresServer() {
  if (!dir_.empty()) Stop();
}

Status PostgresServer::CrashAndRestart() {
  const std::string data = dir_ + "/data";
  RETURN_IF_ERROR(RunTool("pg_ctl", {"-D", data, "-m", "immediate", "-w", "stop"}));
  running_ = false;
  RETURN_IF_ERROR(
      RunTool("pg_ctl", {"-D", data, "-l", dir_ + "/server.log", "-w", "-t", "60", "start"}));
  running_ = true;
  return Status::Ok();
}

std::string PostgresServer::ConnInfo(std::string_view dbname) const {
  return "host=" + dir_ + " user=postgres dbname=" + std::string(dbname);
}

Status PostgresServer::Execute(std::string_view dbname, const std::string& sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(ConnInfo(dbname)));
  return conn->RunScript(sql);
}

Result<std::string> PostgresServer::QueryValue(std::string_view dbname, const std::string& sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(ConnInfo(dbname)));
  ASSIGN_OR_RETURN(PgResult rows, conn->Exec(sql));
  if (rows.rows() == 0) return InternalError("no row: " + sql);
  return rows.String(0, 0);
}

Result<std::string> PostgresServer::CreateDatabase() {
  int n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++next_database_;
  }
  std::string name = "t_" + std::to_string(n);
  RETURN_IF_ERROR(Execute("postgres", "CREATE DATABASE " + name));
  return name;
}

Result<std::string> PostgresServer::CreateMigratedDatabase() {
  constexpr std::string_view kTemplate = "openpca_migrated";
  int n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!have_template_) {
      RETURN_IF_ERROR(Execute("postgres", "CREATE DATABASE " + std::string(kTemplate)));
      // Migrated by the store itself; closed again before the template is copied.
      ASSIGN_OR_RETURN(std::unique_ptr<PgStore> store, PgStore::Open(ConnInfo(kTemplate)));
      have_template_ = true;
    }
    n = ++next_database_;
  }
  std::string name = "t_" + std::to_string(n);
  RETURN_IF_ERROR(
      Execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + std::string(kTemplate)));
  return name;
}

Status PostgresServer::DropDatabase(const std::string& name) {
  return Execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace openpca::store::testing
