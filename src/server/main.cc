// openpca: the server binary. `openpca serve` wires configuration, master key, store, key store,
// accounts, the authority and the HTTP API together, then serves until SIGTERM/SIGINT.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "server/key_migration.h"
#include "server/server.h"

int main(int argc, char** argv) {
  CLI::App app{"openpca: a private certificate authority that speaks the AWS Private CA API"};
  app.require_subcommand(1);
  openpca::server::ServeFlags flags;
  CLI::App* serve = app.add_subcommand("serve", "Run the API server");
  serve->add_option("--listen", flags.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--data-dir", flags.data_dir, "Data directory (default ./data)");
  serve->add_option("--region", flags.region, "Region in ARNs and SigV4 scope (default us-east-1)");
  serve->add_option("--config", flags.config_file, "JSON configuration file");
  serve->add_option("--public-url", flags.public_url,
                    "Base URL relying parties use (default http://<listen>)");
  serve->add_flag("--check-config", flags.check_config,
                  "Validate the configuration and exit without serving");
  openpca::server::MigrateKeyFlags migrate;
  CLI::App* migrate_key = app.add_subcommand(
      "migrate-key",
      "Move a CA's key from the software key store onto the configured PKCS#11 token (run with "
      "the server stopped)");
  migrate_key->add_option("--ca-arn", migrate.ca_arn, "ARN of the CA whose key moves")->required();
  migrate_key->add_option("--to", migrate.to, "pkcs11 (default) or software (refused for keys "
                                              "that cannot leave the token)");
  migrate_key->add_option("--data-dir", migrate.data_dir, "Data directory (default ./data)");
  migrate_key->add_option("--config", migrate.config_file, "JSON configuration file");
  migrate_key->add_flag("--keep-software-key", migrate.keep_software_key,
                        "Keep the software key file after the move");
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand(migrate_key)) {
    umask(077);
    return openpca::server::MigrateKey(migrate);
  }

  // SIGTERM/SIGINT are taken by a dedicated thread (sigwait) in Serve(); block them everywhere
  // before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Everything the server creates (database, keys, credentials) is private to its user.
  umask(077);

  return openpca::server::Serve(flags);
}
