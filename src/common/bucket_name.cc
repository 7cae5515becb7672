#include "common/bucket_name.h"

namespace openpca {

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  int dots = 0;
  bool all_digits_and_dots = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '-') return false;
    if ((i == 0 || i + 1 == name.size()) && !alnum) return false;
    if (c == '.') {
      ++dots;
      if (i > 0 && name[i - 1] == '.') return false;
    }
    if (!(c == '.' || (c >= '0' && c <= '9'))) all_digits_and_dots = false;
  }
  return !(all_digits_and_dots && dots == 3);
}

}  // namespace openpca
