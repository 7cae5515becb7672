#include "store/call_record.h"

namespace openpca::store {
namespace {
thread_local CallRecord* current_record = nullptr;
}  // namespace

CallRecordScope::CallRecordScope(CallRecord* record) : previous_(current_record) {
  current_record = record;
}

CallRecordScope::~CallRecordScope() { current_record = previous_; }

CallRecord* CallRecordScope::Current() { return current_record; }

}  // namespace openpca::store
