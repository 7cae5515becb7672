// A SoftHSM2 token for tests: a temp directory with a softhsm2.conf whose token directory lies
// inside it, SOFTHSM2_CONF pointing at it (process-wide, set before the module is loaded), one
// token initialised with softhsm2-util, and a 0600 PIN file. One per test process; removed at
// exit. The module is OPENPCA_TEST_PKCS11_MODULE or Debian's libsofthsm2.so.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "keys/pkcs11/pkcs11_key_store.h"
#include "keys_test_util.h"

namespace openpca::keys::testing {

class SoftHsm {
 public:
  static constexpr char kLabel[] = "openpca-test";
  static constexpr char kUserPin[] = "4321-user";
  static constexpr char kSoPin[] = "1234-so";

  static SoftHsm& Get() {
    static SoftHsm hsm;  // the directory is removed at exit
    return hsm;
  }

  const std::string& module_path() const { return module_path_; }
  const std::string& pin_file() const { return pin_file_; }
  const std::string& dir() const { return dir_.path(); }

  pkcs11::Pkcs11KeyStoreOptions Options() const {
    pkcs11::Pkcs11KeyStoreOptions o;
    o.module_path = module_path_;
    o.token_label = kLabel;
    o.pin_file = pin_file_;
    o.max_sessions = 8;
    return o;
  }

  // A file holding `content` with mode `mode`, in the fixture's directory.
  std::string WriteFileWithMode(const std::string& name, const std::string& content,
                                mode_t mode) const {
    std::string path = dir() + "/" + name;
    {
      std::ofstream out(path, std::ios::trunc);
      out << content;
    }
    ::chmod(path.c_str(), mode);
    return path;
  }

 private:
  SoftHsm() {
    const char* env = std::getenv("OPENPCA_TEST_PKCS11_MODULE");
    module_path_ = env != nullptr && *env != '\0' ? env : "/usr/lib/softhsm/libsofthsm2.so";
    std::string tokens = dir_.path() + "/tokens";
    std::filesystem::create_directories(tokens);
    std::string conf = dir_.path() + "/softhsm2.conf";
    {
      std::ofstream out(conf);
      out << "directories.tokendir = " << tokens << "\nobjectstore.backend = file\n"
          << "log.level = ERROR\nslots.removable = false\n";
    }
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    std::string cmd = std::string("softhsm2-util --init-token --free --label ") + kLabel +
                      " --so-pin " + kSoPin + " --pin " + kUserPin + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "softhsm2-util --init-token failed\n");
      std::abort();
    }
    pin_file_ = WriteFileWithMode("user.pin", std::string(kUserPin) + "\n", 0600);
  }

  TempDir dir_;
  std::string module_path_;
  std::string pin_file_;
};

}  // namespace openpca::keys::testing
