// Calls the handlers of an operation table by name, as the pipeline would.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/operation.h"

namespace openpca::services::testing {

class Operations {
 public:
  explicit Operations(std::vector<std::pair<std::string, api::OperationHandler>> table) {
    for (auto& [name, handler] : table) handlers_[name] = std::move(handler);
  }
  bool Has(const std::string& name) const { return handlers_.count(name) > 0; }
  Result<nlohmann::json> Call(const api::CallContext& ctx, const std::string& name,
                              const nlohmann::json& input) const {
    auto it = handlers_.find(name);
    if (it == handlers_.end()) return Status(ErrorCode::kUnknownOperation, name);
    api::CallContext c = ctx;
    c.operation = name;
    return it->second(c, input);
  }
  size_t size() const { return handlers_.size(); }

 private:
  std::map<std::string, api::OperationHandler> handlers_;
};

}  // namespace openpca::services::testing

#define EXPECT_CODE(result, error_code) \
  EXPECT_EQ((result).status().code(), ::openpca::ErrorCode::error_code) << (result).status().ToString()
#define ASSERT_RESULT_OK(result) ASSERT_TRUE((result).ok()) << (result).status().ToString()
