#pragma once
// The names of an enum's values (in declaration order), as config files and errors spell them.
#include <stdexcept>
#include <string>
#include <vector>

namespace recgrad {

// The value whose name is `name`; throws "<what> "x" is unknown; expected one of a, b, c".
template <class Enum>
Enum enum_of_name(const std::vector<std::string>& names, const std::string& name, const std::string& what) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return Enum(i);
  std::string valid;
  for (const std::string& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument(what + " \"" + name + "\" is unknown; expected one of " + valid);
}

}  // namespace recgrad
