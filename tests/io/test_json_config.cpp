#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/atomic_file.h"
#include "io/json_config.h"
#include "tests/io/temp_dir.h"

namespace recgrad {
namespace {

using nlohmann::json;
using ::testing::StartsWith;
using testing::TempDir;

// The message of the std::invalid_argument that f throws; any other exception fails the test.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

const json kConfig = json::parse(R"({
  "model": {"embedding_dim": 16, "dropout": 0.1,
            "attention": {"kind": "multi_head", "heads": 4, "use_softmax": true}},
  "features": {"side_info": ["cate", "brand"]},
  "optim": {"lr": 0.001}
})");

TEST(ParseJson, SyntaxErrorNamesLineAndColumn) {
  EXPECT_EQ(error_of([] { parse_json("{\n  \"a\": 1,\n  \"b\": ,\n}", "run.json"); }),
            "run.json:3:8: invalid JSON: syntax error while parsing value - unexpected ','; "
            "expected '[', '{', or a literal");
}

TEST(ParseJson, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes in UTF-8 but one column in an editor: x is in column 7.
  EXPECT_THAT(error_of([] { parse_json("{\"é\": x}", "run.json"); }), StartsWith("run.json:1:7: invalid JSON: "));
}

TEST(ParseJson, UnexpectedEndNamesThePlaceAfterTheLastCharacter) {
  EXPECT_THAT(error_of([] { parse_json("{\n\"a\": 1", "run.json"); }),
              StartsWith("run.json:2:7: invalid JSON: syntax error while parsing object - unexpected end of input"));
}

TEST(ParseJson, DuplicateKeyNamesItsPath) {
  EXPECT_EQ(error_of([] { parse_json(R"({"model": {"heads": 2, "dim": 8, "heads": 4}})", "run.json"); }),
            "run.json: duplicate key 'model.heads'");
  EXPECT_EQ(error_of([] { parse_json(R"({"l": [{"a": 1}, [], {"b": 1, "b": 2}]})", "run.json"); }),
            "run.json: duplicate key 'l[2].b'");
}

TEST(ParseJson, SameKeyInDifferentObjectsIsFine) {
  EXPECT_EQ(parse_json(R"({"a": {"x": 1}, "b": {"x": 2}, "x": 3})", "run.json")["b"]["x"], 2);
}

TEST(ParseJson, DeepNestingIsAnError) {
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_THAT(error_of([&] { parse_json(deep, "deep.json"); }), StartsWith("deep.json: '"));
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_NO_THROW(parse_json(ok, "ok.json"));
}

TEST(LoadJsonFile, ReadsTheFileAndNamesItInErrors) {
  TempDir dir;
  write_file_atomically(dir / "good.json", R"({"seed": 3})");
  EXPECT_EQ(load_json_file(dir / "good.json")["seed"], 3);
  write_file_atomically(dir / "bad.json", "{\n  \"seed\": 3\n  \"lr\": 1\n}");
  // A missing comma: the parser stops at the end of the unexpected string "lr", line 3 column 6.
  EXPECT_THAT(error_of([&] { load_json_file(dir / "bad.json"); }),
              StartsWith(dir / "bad.json:3:6: invalid JSON: syntax error while parsing object - unexpected string"));
  EXPECT_THROW(load_json_file(dir / "missing.json"), std::runtime_error);
}

TEST(ConfigReader, ReturnsValuesAndFallbacks) {
  ConfigReader root(kConfig);
  ConfigReader model = root.object("model");
  ConfigReader attention = model.object("attention");
  EXPECT_EQ(attention.get_int("heads", 1, 1), 4);
  EXPECT_EQ(attention.get_int("layers", 2, 1), 2);
  EXPECT_EQ(attention.get_string("kind", "dot", {"dot", "multi_head"}), "multi_head");
  EXPECT_TRUE(attention.get_bool("use_softmax", false));
  EXPECT_EQ(model.get_double("dropout", 0.0, Interval::closed_open(0, 1)), 0.1);
  EXPECT_EQ(model.get_int("embedding_dim", 8, 1), 16);
  EXPECT_EQ(root.object("features").get_string_list("side_info"), (std::vector<std::string>{"cate", "brand"}));
  EXPECT_EQ(root.object("training").get_int("epochs", 5, 1), 5);  // an absent section gives fallbacks
  EXPECT_EQ(root.object("optim").get_double("lr", 1.0, Interval::greater_than(0)), 0.001);
  EXPECT_EQ(attention.path(), "model.attention");
}

TEST(ConfigReader, IntegerErrorsSayWhatWasExpected) {
  const json config = json::parse(R"({"model": {"attention": {"heads": -2, "dim": 2.5, "k": "4", "n": 9, "m": -1,
                                                              "big": 18446744073709551615}}})");
  ConfigReader attention = ConfigReader(config).object("model").object("attention");
  EXPECT_EQ(error_of([&] { attention.get_int("heads", 4, 1); }),
            "config: model.attention.heads: expected a positive integer, got -2");
  EXPECT_EQ(error_of([&] { attention.get_int("dim", 4, 1); }),
            "config: model.attention.dim: expected a positive integer, got 2.5");
  EXPECT_EQ(error_of([&] { attention.get_int("k", 4); }), "config: model.attention.k: expected an integer, got \"4\"");
  EXPECT_EQ(error_of([&] { attention.get_int("n", 4, 1, 8); }),
            "config: model.attention.n: expected an integer in [1, 8], got 9");
  EXPECT_EQ(error_of([&] { attention.get_int("m", 4, 0); }),
            "config: model.attention.m: expected a non-negative integer, got -1");
  EXPECT_EQ(error_of([&] { attention.get_int("big", 4, 2); }),
            "config: model.attention.big: expected an integer >= 2, got 18446744073709551615");
}

TEST(ConfigReader, IntegerListElementsAreCheckedOneByOne) {
  const json config = json::parse(R"({"tower": {"hidden": [64, 0, 16], "sizes": [3, 4], "widths": 8}})");
  ConfigReader tower = ConfigReader(config).object("tower");
  EXPECT_EQ(tower.get_int_list("sizes", {}, 1), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(tower.get_int_list("absent", {32, 16}, 1), (std::vector<std::int64_t>{32, 16}));
  EXPECT_EQ(error_of([&] { tower.get_int_list("hidden", {}, 1); }),
            "config: tower.hidden[1]: expected a positive integer, got 0");
  EXPECT_EQ(error_of([&] { tower.get_int_list("widths", {}, 1); }),
            "config: tower.widths: expected a list of integers, got 8");
}

TEST(ConfigReader, NumberErrorsNameTheInterval) {
  const json config = json::parse(R"({"lr": -0.001, "dropout": 1, "wd": "0.1", "beta": 0})");
  ConfigReader optim(config, "run.json");
  EXPECT_EQ(error_of([&] { optim.get_double("lr", 1e-3, Interval::greater_than(0)); }),
            "run.json: lr: expected a number > 0, got -0.001");
  EXPECT_EQ(error_of([&] { optim.get_double("dropout", 0, Interval::closed_open(0, 1)); }),
            "run.json: dropout: expected a number in [0, 1), got 1");
  EXPECT_EQ(error_of([&] { optim.get_double("wd", 0); }), "run.json: wd: expected a number, got \"0.1\"");
  EXPECT_EQ(error_of([&] { optim.get_double("beta", 0.5, Interval::at_least(0.5)); }),
            "run.json: beta: expected a number >= 0.5, got 0");
  EXPECT_EQ(optim.get_double("beta", 0.5, Interval::closed(0, 1)), 0.0);  // an integer is a number
}

TEST(ConfigReader, BoolStringAndListErrors) {
  const json config = json::parse(R"({"softmax": "yes", "kind": "mult_head", "other": "xyz", "name": 3,
                                      "fields": ["cate", 3], "columns": "cate"})");
  ConfigReader model(config);
  EXPECT_EQ(error_of([&] { model.get_bool("softmax", true); }), "config: softmax: expected true or false, got \"yes\"");
  const std::vector<std::string> kinds = {"dot", "scaled_dot", "din", "multi_head"};
  EXPECT_EQ(error_of([&] { model.get_string("kind", "dot", kinds); }),
            "config: kind: unknown value 'mult_head'; did you mean 'multi_head'? allowed: dot, scaled_dot, din, "
            "multi_head");
  EXPECT_EQ(error_of([&] { model.get_string("other", "dot", kinds); }),
            "config: other: unknown value 'xyz'; allowed: dot, scaled_dot, din, multi_head");
  EXPECT_EQ(error_of([&] { model.get_string("name", ""); }), "config: name: expected a string, got 3");
  EXPECT_EQ(error_of([&] { model.get_string_list("fields"); }), "config: fields[1]: expected a string, got 3");
  EXPECT_EQ(error_of([&] { model.get_string_list("columns"); }),
            "config: columns: expected a list of strings, got \"cate\"");
}

TEST(ConfigReader, SubObjectErrors) {
  const json config = json::parse(R"({"model": 3, "fields": [{"name": "cate"}, {"name": 4}], "cols": [1]})");
  ConfigReader root(config);
  EXPECT_EQ(error_of([&] { root.object("model"); }), "config: model: expected an object, got 3");
  std::vector<ConfigReader> fields = root.object_list("fields");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].get_string("name", ""), "cate");
  EXPECT_EQ(error_of([&] { fields[1].get_string("name", ""); }), "config: fields[1].name: expected a string, got 4");
  EXPECT_EQ(error_of([&] { root.object_list("cols"); }), "config: cols[0]: expected an object, got 1");
  EXPECT_TRUE(root.object_list("absent").empty());
  EXPECT_EQ(error_of([] { ConfigReader(json::array()); }), "config: expected a JSON object, got []");
}

TEST(ConfigReader, UnknownKeyNamesPathSuggestionAndAllowedKeys) {
  const json config = json::parse(R"({"model": {"atention": {}, "embedding_dim": 8, "dropout": 0}})");
  ConfigReader model = ConfigReader(config).object("model");
  model.object("attention");
  model.get_int("embedding_dim", 8, 1);
  model.get_double("dropout", 0, Interval::closed_open(0, 1));
  EXPECT_EQ(error_of([&] { model.finish(); }),
            "config: model.atention: unknown key; did you mean 'attention'? allowed: attention, dropout, "
            "embedding_dim");
}

TEST(ConfigReader, UnknownKeyFarFromAllOnlyListsAllowed) {
  const json config = json::parse(R"({"colour": "red", "seed": 1})");
  ConfigReader root(config);
  root.get_int("seed", 0);
  root.get_int("epochs", 1);
  EXPECT_EQ(error_of([&] { root.finish(); }), "config: colour: unknown key; allowed: epochs, seed");
}

TEST(ConfigReader, FinishPassesWhenEveryKeyWasRead) {
  ConfigReader optim = ConfigReader(kConfig).object("optim");
  optim.get_double("lr", 1e-3, Interval::greater_than(0));
  EXPECT_NO_THROW(optim.finish());
}

TEST(ConfigReader, FailNamesThePathForChecksAcrossKeys) {
  ConfigReader attention = ConfigReader(kConfig).object("model").object("attention");
  EXPECT_EQ(error_of([&] { attention.fail("heads", "must divide embedding_dim 16, got 3"); }),
            "config: model.attention.heads: must divide embedding_dim 16, got 3");
  EXPECT_EQ(error_of([&] { attention.fail("", "dot attention has no heads"); }),
            "config: model.attention: dot attention has no heads");
}

TEST(ApplyOverride, ParsesEachKindOfValue) {
  json config = kConfig;
  apply_override(config, "model.attention.heads=8");
  apply_override(config, "optim.lr=3e-4");
  apply_override(config, "model.attention.use_softmax=false");
  apply_override(config, "model.dropout=null");
  apply_override(config, "features.side_info=[\"cate\"]");
  apply_override(config, "model.attention.kind=din");
  apply_override(config, "model.embedding_dim=\"8\"");
  apply_override(config, "optim={\"lr\": 0.5}");
  EXPECT_EQ(config["model"]["attention"]["heads"], json(8));
  EXPECT_EQ(config["model"]["attention"]["use_softmax"], json(false));
  EXPECT_TRUE(config["model"]["dropout"].is_null());
  EXPECT_EQ(config["features"]["side_info"], json::parse(R"(["cate"])"));
  EXPECT_EQ(config["model"]["attention"]["kind"], json("din"));
  EXPECT_EQ(config["model"]["embedding_dim"], json("8"));
  EXPECT_EQ(config["optim"], json::parse(R"({"lr": 0.5})"));
}

TEST(ApplyOverride, TextThatIsNotJsonIsAString) {
  json config = kConfig;
  apply_override(config, "model.attention.kind=data/train.tsv");
  EXPECT_EQ(config["model"]["attention"]["kind"], json("data/train.tsv"));
  apply_override(config, "model.attention.kind=a=b");  // only the first '=' separates path and value
  EXPECT_EQ(config["model"]["attention"]["kind"], json("a=b"));
  apply_override(config, "model.attention.kind=");
  EXPECT_EQ(config["model"]["attention"]["kind"], json(""));
  apply_override(config, "optim.lr=0.5");
  EXPECT_EQ(config["optim"]["lr"], json(0.5));
}

TEST(ApplyOverride, BadAssignmentsAreErrors) {
  json config = kConfig;
  EXPECT_EQ(error_of([&] { apply_override(config, "model.heads"); }),
            "--set model.heads: expected path.to.key=value");
  EXPECT_EQ(error_of([&] { apply_override(config, "=3"); }), "--set =3: expected path.to.key=value");
  EXPECT_EQ(error_of([&] { apply_override(config, "model..dropout=1"); }),
            "--set model..dropout=1: empty key in the path 'model..dropout'");
  EXPECT_EQ(config, kConfig);
}

TEST(ApplyOverride, MissingPathNamesTheNearestKey) {
  json config = kConfig;
  EXPECT_EQ(error_of([&] { apply_override(config, "model.atention.heads=8"); }),
            "--set model.atention.heads=8: no key 'model.atention' in the config; did you mean 'attention'? allowed: "
            "attention, dropout, embedding_dim");
  EXPECT_EQ(error_of([&] { apply_override(config, "trainer.epochs=3"); }),
            "--set trainer.epochs=3: no key 'trainer' in the config; allowed: features, model, optim");
  EXPECT_EQ(error_of([&] { apply_override(config, "model.dropout.rate=0.2"); }),
            "--set model.dropout.rate=0.2: 'model.dropout' is 0.1, not an object");
  EXPECT_EQ(config, kConfig);
}

TEST(ClosestMatch, CountsASwapOfNeighboursAsOneEdit) {
  EXPECT_EQ(closest_match("hedas", {"dim", "heads", "kind"}), "heads");
  EXPECT_EQ(closest_match("embeding_dim", {"embedding_dim", "dropout"}), "embedding_dim");
  EXPECT_EQ(closest_match("colour", {"seed", "epochs"}), "");
  EXPECT_EQ(closest_match("x", {}), "");
}

}  // namespace
}  // namespace recgrad
