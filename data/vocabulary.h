#pragma once
// A vocabulary maps string ids (item ids, categories, users) to embedding rows.
//   index 0: padding (history slots past the true length)
//   index 1: out-of-vocabulary (any id not seen when the vocabulary was built)
//   index 2, 3, ...: the known ids in byte-wise sorted order, so the same set of ids gives the same
//                    vocabulary whatever the order of the rows it came from.
// It is built from the training split only: a test id unseen in training is OOV, as in deployment.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace recgrad {

class Vocabulary {
 public:
  static constexpr std::int64_t kPadding = 0;
  static constexpr std::int64_t kOutOfVocabulary = 1;

  Vocabulary() = default;                             // only the two reserved entries
  explicit Vocabulary(const std::set<std::string>& ids);

  std::int64_t index(const std::string& id) const;    // kOutOfVocabulary for an unknown id
  const std::string& id(std::int64_t index) const;    // "<pad>" and "<oov>" for the reserved rows
  std::size_t size() const { return ids_.size(); }    // embedding rows needed, reserved ones included

  // Text file, one entry per line, the entry of index i on line i + 1: "<pad>", "<oov>", then the
  // ids. So `open(path).read().splitlines()[i]` in Python is the id of embedding row i.
  void save(const std::string& path) const;
  static Vocabulary load(const std::string& path);   // errors name path:line

 private:
  void add(const std::string& id);

  std::vector<std::string> ids_ = {"<pad>", "<oov>"};
  std::unordered_map<std::string, std::int64_t> index_;
};

}  // namespace recgrad
