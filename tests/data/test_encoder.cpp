// Vocabularies (padding 0, OOV 1, sorted ids, files) and encoding into the model's layout.
#include <gtest/gtest.h>

#include "data/batcher.h"
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
  const Vocabularies vocabularies = build_vocabularies(small_dataset(), Schema{});
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
  const EncodedDataset encoded = encode(data, build_vocabularies(data, Schema{}), 2);
  EXPECT_EQ(encoded.target_item, (Indices{4, 2}));
  EXPECT_EQ(encoded.target_side[0], (Indices{3, 2}));
  EXPECT_EQ(encoded.history_item[0], (Indices{5, 3}));  // i4 (most recent), i2; i1 cut
  EXPECT_EQ(encoded.history_side[0][0], (Indices{3, 2}));
  EXPECT_TRUE(encoded.history_item[1].empty());
  EXPECT_EQ(encoded.users, (Indices{3, 2}));
  EXPECT_EQ(encoded.labels, (std::vector<double>{1.0, 0.0}));
}

TEST(Encoder, IdsUnseenInTrainingAreOov) {
  const Vocabularies vocabularies = build_vocabularies(small_dataset(), Schema{});
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
  const EncodedDataset encoded = encode(test, build_vocabularies(small_dataset(), Schema{}), 10);
  EXPECT_EQ(encoded.users, (Indices{1, 1}));
  EXPECT_EQ(encoded.user_groups, (Indices{0, 1}));
}

TEST(Encoder, RelevantFlagsFollowTheHistoryLayout) {
  RawDataset data = small_dataset();
  data.relevant = {{false, false, true}, {}};
  data.click_probability = {0.7, 0.2};
  const EncodedDataset encoded = encode(data, build_vocabularies(data, Schema{}), 2);
  EXPECT_EQ(encoded.relevant[0], (std::vector<bool>{true, false}));
  EXPECT_TRUE(encoded.relevant[1].empty());
  EXPECT_EQ(encoded.click_probability, data.click_probability);
}

TEST(Encoder, VocabulariesSaveAndLoadIdentically) {
  const std::string dir = test_dir();
  const RawDataset data = small_dataset();
  const Vocabularies saved = build_vocabularies(data, Schema{});
  save_vocabularies(saved, dir);
  Schema features;
  features.item_side = {"cate"};
  features.user = "user_id";
  const Vocabularies loaded = load_vocabularies(dir, features);
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
  EXPECT_TRUE(ThrowsNaming([&] { encode(other, build_vocabularies(small_dataset(), Schema{}), 10); }, {"encode", "differ"}));
}

// ---- features.min_count ----

namespace {
// Appearances (target + history): items i1 3 (2 + 1), i2 2 (1 + 1), i3 2 (1 + 1), i4 1 (0 + 1);
// categories c1 4, c2 3, c3 1; users (impressions) u1 2, u2 1, u3 1.
RawDataset counted_dataset() {
  RawDataset data;
  data.side_fields = {"cate"};
  data.has_users = true;
  data.labels = {1, 0, 1, 0};
  data.users = {"u1", "u1", "u2", "u3"};
  data.target_item = {"i1", "i2", "i3", "i1"};
  data.target_side = {{"c1", "c1", "c2", "c1"}};
  data.history_item = {{"i2"}, {"i3", "i4"}, {}, {"i1"}};
  data.history_side = {{{"c2"}, {"c2", "c3"}, {}, {"c1"}}};
  return data;
}

Schema with_min_count(std::size_t min_count) {
  Schema features;
  features.min_count = min_count;
  return features;
}
}  // namespace

TEST(MinCount, KeepsIdsAtTheThresholdCountingHistoryAppearances) {
  const Vocabularies v = build_vocabularies(counted_dataset(), with_min_count(2));
  EXPECT_EQ(v.items.size(), 5u);  // <pad> <oov> i1 i2 i3
  EXPECT_EQ(v.items.index("i1"), 2);
  EXPECT_EQ(v.items.index("i2"), 3);  // once as target, once in a history: exactly 2
  EXPECT_EQ(v.items.index("i3"), 4);
  EXPECT_EQ(v.items.index("i4"), Vocabulary::kOutOfVocabulary);  // only in a history, once: below
  EXPECT_EQ(v.side[0].size(), 4u);  // c1 c2
  EXPECT_EQ(v.side[0].index("c3"), Vocabulary::kOutOfVocabulary);
  EXPECT_EQ(v.users.size(), 3u);  // u1 (two impressions)
  EXPECT_EQ(v.users.index("u2"), Vocabulary::kOutOfVocabulary);
}

TEST(MinCount, AboveEveryCountLeavesOnlyTheReservedRows) {
  const Vocabularies three = build_vocabularies(counted_dataset(), with_min_count(3));
  EXPECT_EQ(three.items.size(), 3u);  // i1 alone
  EXPECT_EQ(three.items.index("i1"), 2);
  EXPECT_EQ(three.items.index("i2"), Vocabulary::kOutOfVocabulary);
  const Vocabularies five = build_vocabularies(counted_dataset(), with_min_count(5));
  EXPECT_EQ(five.items.size(), 2u);
  EXPECT_EQ(five.side[0].size(), 2u);
  EXPECT_EQ(five.users.size(), 2u);
}

TEST(MinCount, RareIdsEncodeAsOovAndPaddingStaysZero) {
  const RawDataset data = counted_dataset();
  const EncodedDataset encoded = encode(data, build_vocabularies(data, with_min_count(2)), 10);
  EXPECT_EQ(encoded.target_item, (Indices{2, 3, 4, 2}));
  EXPECT_EQ(encoded.history_item[1], (Indices{Vocabulary::kOutOfVocabulary, 4}));  // i4 (most recent), i3
  EXPECT_EQ(encoded.history_side[0][1], (Indices{Vocabulary::kOutOfVocabulary, 3}));  // c3, c2
  EXPECT_EQ(encoded.users, (Indices{2, 2, Vocabulary::kOutOfVocabulary, Vocabulary::kOutOfVocabulary}));
  EXPECT_EQ(encoded.user_groups, (Indices{0, 0, 1, 2}));  // GAUC still tells rare users apart
  const Batch batch = make_batch(encoded, {0, 2});
  EXPECT_EQ(batch.history_item, (Indices{3, 0}));  // row 2's empty history: padding 0, not OOV
}

TEST(MinCount, OneKeepsEveryIdSeen) {
  const std::string dir = test_dir();
  const RawDataset data = counted_dataset();
  const Vocabularies v = build_vocabularies(data, with_min_count(1));
  EXPECT_EQ(v.items.size(), 6u);
  EXPECT_EQ(v.items.index("i4"), 5);
  EXPECT_EQ(v.side[0].index("c3"), 4);
  save_vocabularies(v, dir);
  EXPECT_EQ(read_file(dir + "/vocab_item.txt"), "<pad>\n<oov>\ni1\ni2\ni3\ni4\n");
  EXPECT_EQ(read_file(dir + "/vocab_side_cate.txt"), "<pad>\n<oov>\nc1\nc2\nc3\n");
  EXPECT_EQ(read_file(dir + "/vocab_user.txt"), "<pad>\n<oov>\nu1\nu2\nu3\n");
  EXPECT_TRUE(ThrowsNaming([&] { build_vocabularies(data, with_min_count(0)); }, {"min_count"}));
}

// ---- features.multi_valued ----

namespace {
// Side info "genre" (multi-valued, "|") and "cate" (single-valued: "x|y" is one id).
RawDataset genre_dataset() {
  RawDataset data;
  data.side_fields = {"genre", "cate"};
  data.labels = {1, 0, 1};
  data.target_item = {"m1", "m2", "m3"};
  data.target_side = {{"Comedy|Drama", "Action", "Drama"}, {"x|y", "z", "z"}};
  data.history_item = {{"m2", "m3"}, {"m1"}, {}};  // oldest first
  data.history_side = {{{"Action", "Drama|Action|Comedy"}, {"Comedy|Drama"}, {}}, {{"z", "z"}, {"x|y"}, {}}};
  return data;
}

Schema genre_features() {
  Schema features;
  features.multi_valued = {{"genre", "|"}};
  return features;
}
}  // namespace

TEST(MultiValued, VocabularyHoldsTheValues) {
  const std::string dir = test_dir();
  const Vocabularies v = build_vocabularies(genre_dataset(), genre_features());
  EXPECT_EQ(v.side_separator, (std::vector<std::string>{"|", ""}));
  EXPECT_EQ(v.side[0].size(), 5u);  // Action Comedy Drama
  EXPECT_EQ(v.side[0].index("Comedy|Drama"), Vocabulary::kOutOfVocabulary);
  EXPECT_EQ(v.side[1].index("x|y"), 2);  // single-valued: the whole cell is the id
  save_vocabularies(v, dir);
  EXPECT_EQ(read_file(dir + "/vocab_side_genre.txt"), "<pad>\n<oov>\nAction\nComedy\nDrama\n");
}

TEST(MultiValued, CellsAreTheirValuesPaddedToTheWidestCell) {
  const RawDataset data = genre_dataset();
  const EncodedDataset encoded = encode(data, build_vocabularies(data, genre_features()), 10);
  // Action 2, Comedy 3, Drama 4; the widest cell (3 values) is in a history.
  EXPECT_EQ(encoded.side_width, (std::vector<std::size_t>{3, 1}));
  EXPECT_EQ(encoded.target_side[0], (Indices{3, 4, 0, /**/ 2, 0, 0, /**/ 4, 0, 0}));
  EXPECT_EQ(encoded.history_side[0][0], (Indices{4, 2, 3, /**/ 2, 0, 0}));  // most recent first
  EXPECT_EQ(encoded.history_side[0][1], (Indices{3, 4, 0}));
  EXPECT_TRUE(encoded.history_side[0][2].empty());
  EXPECT_EQ(encoded.target_side[1], (Indices{2, 3, 3}));  // single-valued: the layout of today
  EXPECT_EQ(encoded.history_side[1][0], (Indices{3, 3}));
}

TEST(MultiValued, WidthIsThatOfTheEncodedDatasetAndUnseenValuesAreOov) {
  const Vocabularies v = build_vocabularies(genre_dataset(), genre_features());
  RawDataset test = genre_dataset();
  test.target_side[0] = {"Drama|Horror", "Action", "Comedy"};
  test.history_side[0] = {{"Action", "Drama"}, {"Comedy"}, {}};
  const EncodedDataset encoded = encode(test, v, 10);
  EXPECT_EQ(encoded.side_width, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(encoded.target_side[0], (Indices{4, Vocabulary::kOutOfVocabulary, /**/ 2, 0, /**/ 3, 0}));
  EXPECT_EQ(encoded.history_side[0][0], (Indices{4, 0, /**/ 2, 0}));
  // Only the kept history entries count: with max_len 1 the older 3-value cell is cut.
  RawDataset wide = genre_dataset();
  wide.history_side[0][0] = {"Drama|Action|Comedy", "Action"};
  EXPECT_EQ(encode(wide, v, 1).side_width[0], 2u);
}

TEST(MultiValued, EmptyValuesAreErrorsNamingFieldAndCell) {
  for (const char* cell : {"Comedy||Drama", "|Drama", "Drama|"}) {
    RawDataset data = genre_dataset();
    data.target_side[0][1] = cell;
    EXPECT_TRUE(ThrowsNaming([&] { build_vocabularies(data, genre_features()); }, {"genre", cell}));
    EXPECT_TRUE(ThrowsNaming([&] { encode(data, build_vocabularies(genre_dataset(), genre_features()), 10); },
                             {"genre", cell}));
    data = genre_dataset();
    data.history_side[0][0][0] = cell;
    EXPECT_TRUE(ThrowsNaming([&] { build_vocabularies(data, genre_features()); }, {"genre", cell}));
  }
  Schema unknown;
  unknown.multi_valued = {{"brand", "|"}};
  EXPECT_TRUE(ThrowsNaming([&] { build_vocabularies(genre_dataset(), unknown); }, {"brand"}));
}

TEST(MultiValued, DecodeJoinsTheValuesOfACell) {
  const RawDataset data = genre_dataset();
  const Vocabularies v = build_vocabularies(data, genre_features());
  const EncodedDataset encoded = encode(data, v, 10);
  EXPECT_EQ(decode_side_cell(v, 0, encoded.target_side[0].data(), 3), "Comedy|Drama");
  EXPECT_EQ(decode_side_cell(v, 0, encoded.history_side[0][0].data(), 3), "Drama|Action|Comedy");
  EXPECT_EQ(decode_side_cell(v, 1, encoded.target_side[1].data(), 1), "x|y");
}

TEST(MultiValued, LoadedVocabulariesKeepTheSeparators) {
  const std::string dir = test_dir();
  const RawDataset data = genre_dataset();
  const Vocabularies saved = build_vocabularies(data, genre_features());
  save_vocabularies(saved, dir);
  Schema features = genre_features();
  features.item_side = {"genre", "cate"};
  const Vocabularies loaded = load_vocabularies(dir, features);
  EXPECT_EQ(loaded.side_separator, saved.side_separator);
  const EncodedDataset a = encode(data, saved, 10), b = encode(data, loaded, 10);
  EXPECT_EQ(a.target_side, b.target_side);
  EXPECT_EQ(a.history_side, b.history_side);
}
