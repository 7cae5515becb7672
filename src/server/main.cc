// openpca: the server binary. `openpca serve` wires configuration, master key, store, key store,
// accounts, the authority and the HTTP API together, then serves until SIGTERM/SIGINT.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

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
  CLI11_PARSE(app, argc, argv);

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
