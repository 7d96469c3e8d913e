// Vocabularies (padding 0, OOV 1, sorted ids, files) and encoding into the model's layout.
#include <gtest/gtest.h>

#include "data/encoder.h"
#include "data/vocabulary.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::read_file;
using recgrad::testing::test_dir;
using recgrad::testing::ThrowsNaming;
using recgrad::testing::write_file;
using Indices = std::vector<std::int64_t>;

namespace {

// Two impressions, oldest-first histories; one side-info field "cate".
RawDataset small_dataset() {
  RawDataset data;
  data.side_fields = {"cate"};
  data.has_users = true;
  data.labels = {1.0, 0.0};
  data.users = {"bob", "amy"};
  data.target_item = {"i3", "i1"};
  data.target_side = {{"c2", "c1"}};
  data.history_item = {{"i1", "i2", "i4"}, {}};
  data.history_side = {{{"c1", "c1", "c2"}, {}}};
  return data;
}

}  // namespace

TEST(Vocabulary, ReservesPaddingAndOovThenSortsIds) {
  const Vocabulary vocabulary(std::set<std::string>{"b", "a", "c"});
  EXPECT_EQ(vocabulary.size(), 5u);
  EXPECT_EQ(vocabulary.index("a"), 2);
  EXPECT_EQ(vocabulary.index("b"), 3);
  EXPECT_EQ(vocabulary.index("c"), 4);
  EXPECT_EQ(vocabulary.index("never seen"), Vocabulary::kOutOfVocabulary);
  EXPECT_EQ(vocabulary.id(Vocabulary::kPadding), "<pad>");
  EXPECT_EQ(vocabulary.id(Vocabulary::kOutOfVocabulary), "<oov>");
  EXPECT_EQ(vocabulary.id(3), "b");
  EXPECT_THROW(vocabulary.id(5), std::out_of_range);
}

TEST(Vocabulary, FileHasOneIdPerLineAtItsIndex) {
  const std::string path = test_dir() + "/v.txt";
  Vocabulary(std::set<std::string>{"x", "<pad>", "B00005N7P0"}).save(path);
  EXPECT_EQ(read_file(path), "<pad>\n<oov>\n<pad>\nB00005N7P0\nx\n");
  const Vocabulary back = Vocabulary::load(path);
  EXPECT_EQ(back.size(), 5u);
  EXPECT_EQ(back.index("<pad>"), 2);  // a data id that happens to read "<pad>" is an ordinary id
  EXPECT_EQ(back.index("B00005N7P0"), 3);
  EXPECT_EQ(back.index("x"), 4);
}

TEST(Vocabulary, LoadErrorsNameFileAndLine) {
  const std::string dir = test_dir();
  const std::string duplicate = write_file(dir + "/dup.txt", "<pad>\n<oov>\na\nb\na\n");
  EXPECT_TRUE(ThrowsNaming([&] { Vocabulary::load(duplicate); }, {duplicate + ":5: id 'a' already appears on line 3"}));
  const std::string no_reserved = write_file(dir + "/bad.txt", "<pad>\na\n");
  EXPECT_TRUE(ThrowsNaming([&] { Vocabulary::load(no_reserved); }, {no_reserved + ":2: expected the reserved entry '<oov>'"}));
  const std::string empty_id = write_file(dir + "/empty.txt", "<pad>\n<oov>\n\n");
  EXPECT_TRUE(ThrowsNaming([&] { Vocabulary::load(empty_id); }, {empty_id + ":3: empty id"}));
  const std::string empty_file = write_file(dir + "/none.txt", "");
  EXPECT_TRUE(ThrowsNaming([&] { Vocabulary::load(empty_file); }, {empty_file + ":1: file ends early"}));
}

TEST(Encoder, TargetAndHistoryShareTheItemVocabulary) {
  const Vocabularies vocabularies = build_vocabularies(small_dataset());
  // items i1 i2 i3 i4 -> 2 3 4 5, whether seen as target or in a history
  EXPECT_EQ(vocabularies.items.size(), 6u);
  EXPECT_EQ(vocabularies.items.index("i3"), 4);
  EXPECT_EQ(vocabularies.items.index("i4"), 5);
  EXPECT_EQ(vocabularies.side[0].size(), 4u);  // c1 c2
  EXPECT_EQ(vocabularies.users.index("amy"), 2);
  EXPECT_EQ(vocabularies.users.index("bob"), 3);
}

TEST(Encoder, HistoriesAreMostRecentFirstAndCutToMaxLen) {
  const RawDataset data = small_dataset();
  const EncodedDataset encoded = encode(data, build_vocabularies(data), 2);
  EXPECT_EQ(encoded.target_item, (Indices{4, 2}));
  EXPECT_EQ(encoded.target_side[0], (Indices{3, 2}));
  EXPECT_EQ(encoded.history_item[0], (Indices{5, 3}));  // i4 (most recent), i2; i1 cut
  EXPECT_EQ(encoded.history_side[0][0], (Indices{3, 2}));
  EXPECT_TRUE(encoded.history_item[1].empty());
  EXPECT_EQ(encoded.users, (Indices{3, 2}));
  EXPECT_EQ(encoded.labels, (std::vector<double>{1.0, 0.0}));
}

TEST(Encoder, IdsUnseenInTrainingAreOov) {
  const Vocabularies vocabularies = build_vocabularies(small_dataset());
  RawDataset test = small_dataset();
  test.target_item[0] = "i99";
  test.history_side[0][0][2] = "c99";
  test.users[1] = "zoe";
  const EncodedDataset encoded = encode(test, vocabularies, 10);
  EXPECT_EQ(encoded.target_item[0], Vocabulary::kOutOfVocabulary);
  EXPECT_EQ(encoded.history_side[0][0][0], Vocabulary::kOutOfVocabulary);  // c99 is now the most recent
  EXPECT_EQ(encoded.users[1], Vocabulary::kOutOfVocabulary);
}

TEST(Encoder, UserGroupsKeepUsersUnseenInTrainingApart) {
  RawDataset test = small_dataset();
  test.users = {"zoe", "max"};
  const EncodedDataset encoded = encode(test, build_vocabularies(small_dataset()), 10);
  EXPECT_EQ(encoded.users, (Indices{1, 1}));
  EXPECT_EQ(encoded.user_groups, (Indices{0, 1}));
}

TEST(Encoder, RelevantFlagsFollowTheHistoryLayout) {
  RawDataset data = small_dataset();
  data.relevant = {{false, false, true}, {}};
  data.click_probability = {0.7, 0.2};
  const EncodedDataset encoded = encode(data, build_vocabularies(data), 2);
  EXPECT_EQ(encoded.relevant[0], (std::vector<bool>{true, false}));
  EXPECT_TRUE(encoded.relevant[1].empty());
  EXPECT_EQ(encoded.click_probability, data.click_probability);
}

TEST(Encoder, VocabulariesSaveAndLoadIdentically) {
  const std::string dir = test_dir();
  const RawDataset data = small_dataset();
  const Vocabularies saved = build_vocabularies(data);
  save_vocabularies(saved, dir);
  const Vocabularies loaded = load_vocabularies(dir, {"cate"}, true);
  const EncodedDataset a = encode(data, saved, 10), b = encode(data, loaded, 10);
  EXPECT_EQ(a.target_item, b.target_item);
  EXPECT_EQ(a.history_item, b.history_item);
  EXPECT_EQ(a.history_side, b.history_side);
  EXPECT_EQ(a.users, b.users);
  EXPECT_EQ(read_file(dir + "/vocab_side_cate.txt"), "<pad>\n<oov>\nc1\nc2\n");
}

TEST(Encoder, MismatchedFieldsAreRejected) {
  RawDataset other = small_dataset();
  other.side_fields = {"brand"};
  EXPECT_TRUE(ThrowsNaming([&] { encode(other, build_vocabularies(small_dataset()), 10); }, {"encode", "differ"}));
}
