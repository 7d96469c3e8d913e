// Reading interaction TSVs (data/README.md): exact values, encodings, orders, truncation, and one
// error per kind of malformed file, each naming file:line.
#include <gtest/gtest.h>

#include "data/tsv_reader.h"
#include "data/tsv_writer.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::expect_same_columns;
using recgrad::testing::test_dir;
using recgrad::testing::ThrowsNaming;
using recgrad::testing::write_file;
using Strings = std::vector<std::string>;

namespace {

Schema example_schema() {
  Schema schema;
  schema.label = "label";
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {"item_cate"};
  schema.history = "hist_item_ids";
  schema.history_side = {"hist_cate_ids"};
  schema.max_len = 10;
  return schema;
}

const std::string kHeader = "label\tuser_id\titem_id\titem_cate\thist_item_ids\thist_cate_ids\n";

}  // namespace

TEST(TsvReader, ReadsExactValuesOldestFirst) {
  const std::string path = write_file(test_dir() + "/a.tsv", kHeader +
                                                                 "1\tu17\ti903\tc4\ti12,i77,i903x\tc4,c9,c4\n"
                                                                 "0\tu17\ti55\tc2\ti12\tc4\n");
  const RawDataset data = read_tsv(path, example_schema());
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data.labels, (std::vector<double>{1.0, 0.0}));
  EXPECT_TRUE(data.has_users);
  EXPECT_EQ(data.users, (Strings{"u17", "u17"}));
  EXPECT_EQ(data.target_item, (Strings{"i903", "i55"}));
  EXPECT_EQ(data.side_fields, (Strings{"item_cate"}));
  EXPECT_EQ(data.target_side[0], (Strings{"c4", "c2"}));
  EXPECT_EQ(data.history_item[0], (Strings{"i12", "i77", "i903x"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"c4", "c9", "c4"}));
  EXPECT_EQ(data.history_item[1], (Strings{"i12"}));
  EXPECT_TRUE(data.click_probability.empty());
}

TEST(TsvReader, IgnoresUnusedColumnsAndColumnOrder) {
  // An unused column named like a number ("2024") does not make the header look like data.
  const std::string path = write_file(test_dir() + "/a.tsv",
                                      "hist_cate_ids\tnote\thist_item_ids\titem_cate\titem_id\tuser_id\tlabel\t2024\n"
                                      "c1,c2\tanything\ti1,i2\tc3\ti3\tu1\t1\t7\n");
  const RawDataset data = read_tsv(path, example_schema());
  EXPECT_EQ(data.labels, (std::vector<double>{1.0}));
  EXPECT_EQ(data.target_item, (Strings{"i3"}));
  EXPECT_EQ(data.history_item[0], (Strings{"i1", "i2"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"c1", "c2"}));
}

TEST(TsvReader, WithoutUserColumnHasNoUsers) {
  Schema schema = example_schema();
  schema.user = "";
  const RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "0\tu1\ti1\tc1\t\t\n"), schema);
  EXPECT_FALSE(data.has_users);
  EXPECT_TRUE(data.users.empty());
}

TEST(TsvReader, OptionalLabelColumnMayBeLeftOutButIsCheckedWhenPresent) {
  const std::string unlabelled = write_file(test_dir() + "/unlabelled.tsv",
                                            "user_id\titem_id\titem_cate\thist_item_ids\thist_cate_ids\n"
                                            "u1\ti3\tc3\ti1,i2\tc1,c2\n"
                                            "u2\ti4\tc4\t\t\n");
  const RawDataset data = read_tsv(unlabelled, example_schema(), LabelColumn::Optional);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_TRUE(data.labels.empty());
  EXPECT_EQ(data.target_item, (Strings{"i3", "i4"}));
  EXPECT_EQ(data.history_item[0], (Strings{"i1", "i2"}));
  EXPECT_TRUE(ThrowsNaming([&] { read_tsv(unlabelled, example_schema()); }, {"missing column 'label'"}));

  const std::string labelled = write_file(test_dir() + "/labelled.tsv", kHeader + "1\tu1\ti3\tc3\t\t\n");
  EXPECT_EQ(read_tsv(labelled, example_schema(), LabelColumn::Optional).labels, (std::vector<double>{1.0}));
  const std::string bad = write_file(test_dir() + "/bad.tsv", kHeader + "2\tu1\ti3\tc3\t\t\n");
  EXPECT_TRUE(ThrowsNaming([&] { read_tsv(bad, example_schema(), LabelColumn::Optional); },
                           {"bad.tsv:2: label column 'label' must be 0 or 1"}));
}

TEST(TsvReader, AcceptsCrlfAndByteOrderMark) {
  std::string crlf_header = kHeader;
  crlf_header.insert(crlf_header.size() - 1, "\r");
  const std::string path =
      write_file(test_dir() + "/a.tsv", "\xEF\xBB\xBF" + crlf_header + "1\tu1\ti1\tc1\ti2,i3\tc2,c3\r\n");
  const RawDataset data = read_tsv(path, example_schema());
  EXPECT_EQ(data.labels, (std::vector<double>{1.0}));
  EXPECT_EQ(data.history_item[0], (Strings{"i2", "i3"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"c2", "c3"}));  // no '\r' left on the last field
}

TEST(TsvReader, EmptyHistoryCellIsEmptyHistory) {
  const RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "0\tu1\ti1\tc1\t\t\n"), example_schema());
  EXPECT_TRUE(data.history_item[0].empty());
  EXPECT_TRUE(data.history_side[0][0].empty());
}

TEST(TsvReader, NewestFirstFileIsStoredOldestFirst) {
  Schema schema = example_schema();
  schema.order = HistoryOrder::NewestFirst;
  const RawDataset data =
      read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "0\tu1\ti1\tc1\ti9,i8,i7\tc9,c8,c7\n"), schema);
  EXPECT_EQ(data.history_item[0], (Strings{"i7", "i8", "i9"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"c7", "c8", "c9"}));
}

TEST(TsvReader, KeepsTheMostRecentMaxLenInBothOrders) {
  const std::string dir = test_dir();
  Schema schema = example_schema();
  schema.max_len = 2;
  const RawDataset oldest = read_tsv(write_file(dir + "/old.tsv", kHeader + "0\tu1\ti1\tc1\ti1,i2,i3\tc1,c2,c3\n"), schema);
  EXPECT_EQ(oldest.history_item[0], (Strings{"i2", "i3"}));
  EXPECT_EQ(oldest.history_side[0][0], (Strings{"c2", "c3"}));

  schema.order = HistoryOrder::NewestFirst;
  const RawDataset newest = read_tsv(write_file(dir + "/new.tsv", kHeader + "0\tu1\ti1\tc1\ti3,i2,i1\tc3,c2,c1\n"), schema);
  EXPECT_EQ(newest.history_item[0], (Strings{"i2", "i3"}));
  EXPECT_EQ(newest.history_side[0][0], (Strings{"c2", "c3"}));
}

TEST(TsvReader, UsesTheConfiguredSeparator) {
  Schema schema = example_schema();
  schema.separator = "|";
  const RawDataset data =
      read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti1\tc1\tB00005N7P0|x,y\tComedy|Drama\n"), schema);
  EXPECT_EQ(data.history_item[0], (Strings{"B00005N7P0", "x,y"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"Comedy", "Drama"}));
}

TEST(TsvReader, WriteThenReadGivesTheSameDataInEitherOrder) {
  const std::string dir = test_dir();
  const RawDataset data = read_tsv(write_file(dir + "/a.tsv", kHeader +
                                                                  "1\tu1\ti1\tc1\ti2,i3\tc2,c3\n"
                                                                  "0\tu2\ti4\tc4\t\t\n"),
                                   example_schema());
  for (HistoryOrder order : {HistoryOrder::OldestFirst, HistoryOrder::NewestFirst}) {
    Schema schema = example_schema();
    schema.order = order;
    schema.separator = ";";
    write_tsv(data, dir + "/b.tsv", schema);
    const RawDataset back = read_tsv(dir + "/b.tsv", schema);
    expect_same_columns(back, data);
  }
}

TEST(TsvWriter, RejectsAnIdHoldingTheSeparator) {
  RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti1\tc1\ti2\tc2\n"), example_schema());
  data.history_item[0] = {"a,b"};
  EXPECT_TRUE(ThrowsNaming([&] { write_tsv(data, test_dir() + "/b.tsv", example_schema()); }, {"'a,b'", "separator"}));
}

// Each malformed file throws with "file:line: what is wrong".
class TsvErrors : public ::testing::Test {
 protected:
  ::testing::AssertionResult Fails(const std::string& content, const std::vector<std::string>& fragments,
                                   const Schema& schema = example_schema()) {
    const std::string path = write_file(test_dir() + "/bad.tsv", content);
    std::vector<std::string> expected = fragments;
    expected[0] = path + ":" + expected[0];
    return ThrowsNaming([&] { read_tsv(path, schema); }, expected);
  }
};

TEST_F(TsvErrors, EmptyFile) { EXPECT_TRUE(Fails("", {"1: empty file"})); }

TEST_F(TsvErrors, HeaderOnly) { EXPECT_TRUE(Fails(kHeader, {"1: no impressions after the header"})); }

TEST_F(TsvErrors, MissingColumnIsNamedWithTheHeader) {
  EXPECT_TRUE(Fails("label\tuser_id\titem_id\titem_cate\thist_item_ids\n1\tu\ti\tc\t\n",
                    {"1: missing column 'hist_cate_ids'", "label, user_id, item_id, item_cate, hist_item_ids"}));
}

TEST_F(TsvErrors, DuplicateHeaderColumn) {
  EXPECT_TRUE(Fails("label\tlabel\n", {"1: column 'label' appears twice"}));
}

TEST_F(TsvErrors, WrongFieldCount) {
  EXPECT_TRUE(Fails(kHeader + "1\tu1\ti1\tc1\t\t\n0\tu1\ti1\tc1\t\n", {"3: expected 6 tab-separated fields", "found 5"}));
}

TEST_F(TsvErrors, LabelNotZeroOrOne) {
  EXPECT_TRUE(Fails(kHeader + "2\tu1\ti1\tc1\t\t\n", {"2: label column 'label' must be 0 or 1", "'2'"}));
  EXPECT_TRUE(Fails(kHeader + "yes\tu1\ti1\tc1\t\t\n", {"2: label", "'yes'"}));
}

TEST_F(TsvErrors, HistoryAndSideInfoOfDifferentLengths) {
  EXPECT_TRUE(Fails(kHeader + "1\tu1\ti1\tc1\ti1,i2,i3\tc1,c2\n",
                    {"2: column 'hist_cate_ids' has 2 entries but 'hist_item_ids' has 3"}));
}

TEST_F(TsvErrors, LengthsAreComparedBeforeTruncation) {
  Schema schema = example_schema();
  schema.max_len = 1;
  EXPECT_TRUE(Fails(kHeader + "1\tu1\ti1\tc1\ti1,i2,i3\tc1,c2\n", {"2: column 'hist_cate_ids' has 2 entries"}, schema));
}

TEST_F(TsvErrors, EmptyIdInsideAHistory) {
  EXPECT_TRUE(Fails(kHeader + "1\tu1\ti1\tc1\ti1,,i3\tc1,c2,c3\n", {"2: empty id at position 2 of column 'hist_item_ids'"}));
}

TEST_F(TsvErrors, EmptyTargetItem) {
  EXPECT_TRUE(Fails(kHeader + "1\tu1\t\tc1\t\t\n", {"2: empty value in column 'item_id'"}));
}

TEST_F(TsvErrors, EmptyLine) { EXPECT_TRUE(Fails(kHeader + "1\tu1\ti1\tc1\t\t\n\n", {"3: empty line"})); }

// A file without its header line: the first data line used to be read as a header, giving "column ''
// appears twice" (empty history cells), "column 'i1' appears twice" (an id repeated) or "missing
// column 'label'"; each now says the header is missing and shows the line.
TEST_F(TsvErrors, HeaderlessFileSaysTheFirstLineMustBeAHeader) {
  const std::string must = "1: the first line must be a header naming the columns (docs/formats.md); it looks like data: ";
  EXPECT_TRUE(Fails("1\tu1\ti1\tc1\t\t\n0\tu2\ti2\tc2\t\t\n", {must + "1\tu1\ti1\tc1\t\t"}));
  EXPECT_TRUE(Fails("0\tu1\ti1\tc1\ti1\tc1\n", {must + "0\tu1\ti1\tc1\ti1\tc1"}));
  EXPECT_TRUE(Fails("1\tu17\ti903\tc4\ti12,i77\tc4,c9\n", {must + "1\tu17\ti903\tc4\ti12,i77\tc4,c9"}));
  // Unlabelled data (predict) without a header: a number, no repeat.
  EXPECT_TRUE(Fails("u1\t42\tc3\ti1,i2\tc1,c2\n", {must}));
}

TEST_F(TsvErrors, HeaderlessFileShowsAtMostSixtyCharacters) {
  const std::string line = "1\tu1\ti1\tc1\t" + std::string(40, 'h') + "\t" + std::string(40, 'c');
  const std::string path = write_file(test_dir() + "/bad.tsv", line + "\n");
  try {
    read_tsv(path, example_schema());
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("it looks like data: " + line.substr(0, 60) + "..."), std::string::npos) << message;
    EXPECT_EQ(message.find(line.substr(0, 61)), std::string::npos) << message;
  }
}

TEST_F(TsvErrors, HeaderWithATypoKeepsTheMissingColumnError) {
  EXPECT_TRUE(Fails("label\tuser_id\titem_id\titem_cate\thist_item_idz\thist_cate_ids\n1\tu\ti\tc\t\t\n",
                    {"1: missing column 'hist_item_ids'", "hist_item_idz"}));
  // Every name misspelt, but nothing data-like (no number, no repeat): still a header.
  EXPECT_TRUE(Fails("lable\tuser\titem\tcate\thist_items\thist_cates\n1\tu\ti\tc\t\t\n",
                    {"1: missing column 'label'", "lable, user, item"}));
}

TEST(TsvReader, MissingFileIsNamed) {
  EXPECT_TRUE(ThrowsNaming([] { read_tsv("/nonexistent/x.tsv", example_schema()); }, {"cannot open '/nonexistent/x.tsv'"}));
}

TEST(Schema, SideInfoFieldWithoutHistoryColumnIsRejected) {
  Schema schema = example_schema();
  schema.history_side.clear();
  EXPECT_TRUE(ThrowsNaming([&] { validate(schema); }, {"1 target side-info columns but 0 history side-info columns"}));
}

TEST(Schema, ColumnWithTwoRolesAndBadSeparatorAreRejected) {
  Schema schema = example_schema();
  schema.user = "item_id";
  EXPECT_TRUE(ThrowsNaming([&] { validate(schema); }, {"'item_id' is given two roles"}));
  schema = example_schema();
  schema.separator = "\t";
  EXPECT_TRUE(ThrowsNaming([&] { validate(schema); }, {"separator"}));
}

TEST(Schema, HistoryOrderNamesParseBothWays) {
  for (HistoryOrder order : {HistoryOrder::OldestFirst, HistoryOrder::NewestFirst})
    EXPECT_EQ(parse_history_order(history_order_name(order)), order);
  EXPECT_TRUE(ThrowsNaming([] { parse_history_order("latest"); }, {"'latest'", "oldest_first"}));
}

TEST(TsvReader, MultiValuedCellsStayRawAndEmptyValuesNameFileAndLine) {
  Schema schema = example_schema();
  schema.multi_valued = {{"item_cate", "|"}};
  const std::string dir = test_dir();
  const RawDataset data =
      read_tsv(write_file(dir + "/a.tsv", kHeader + "1\tu1\ti1\tComedy|Drama\ti2,i3\tAction,Drama|Comedy\n"), schema);
  EXPECT_EQ(data.target_side[0], (Strings{"Comedy|Drama"}));
  EXPECT_EQ(data.history_side[0][0], (Strings{"Action", "Drama|Comedy"}));
  const std::string target = write_file(dir + "/t.tsv", kHeader + "1\tu1\ti1\tc1\t\t\n" + "0\tu1\ti1\tComedy||Drama\t\t\n");
  EXPECT_TRUE(ThrowsNaming([&] { read_tsv(target, schema); }, {target + ":3:", "Comedy||Drama", "item_cate"}));
  const std::string history = write_file(dir + "/h.tsv", kHeader + "1\tu1\ti1\tc1\ti2,i3\tc1,Drama|\n");
  EXPECT_TRUE(ThrowsNaming([&] { read_tsv(history, schema); }, {history + ":2:", "Drama|", "hist_cate_ids"}));
}

TEST_F(TsvErrors, ControlCharactersInsideACellNameFileLineAndColumn) {
  // CR inside an id (a CRLF line end is fine), NUL in a history id, 0x01 in side info, ESC in a user id.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("1\tu1\ti\r1\tc1\ti2\tc2\n"), "3: column 'item_id' holds the control character 0x0D at byte 2"},
      {std::string("1\tu1\ti1\tc1\ti2,i\0003\tc2,c3\n", 24),
       "3: column 'hist_item_ids' holds the control character 0x00 at byte 5"},
      {std::string("1\tu1\ti1\tc\x01\ti2\tc2\n"), "3: column 'item_cate' holds the control character 0x01 at byte 2"},
      {std::string("1\tu\x1b\ti1\tc1\ti2\tc2\n"), "3: column 'user_id' holds the control character 0x1B at byte 2"}};
  for (const auto& [line, message] : cases)
    EXPECT_TRUE(Fails(kHeader + "0\tu1\ti1\tc1\t\t\r\n" + line, {message})) << message;
}
