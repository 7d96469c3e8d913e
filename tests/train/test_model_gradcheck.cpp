// `recgrad gradcheck` on every attention kind and option the click model offers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "train/model_gradcheck.h"

using namespace recgrad;

namespace {
void expect_model_gradcheck(const nlohmann::json& model) {
  const ModelGradcheck r = gradcheck_model(parse_run_config({{"model", model}}));
  EXPECT_TRUE(r.result.ok) << r.result.message;
  EXPECT_GT(r.scalars, 50u);
}
}  // namespace

TEST(ModelGradcheck, EveryAttentionKind) {
  for (const char* kind : {"mean", "dot", "scaled_dot", "din", "multi_head"}) {
    SCOPED_TRACE(kind);
    expect_model_gradcheck({{"attention", {{"kind", kind}}}});
  }
}

TEST(ModelGradcheck, RawWeightsSumCombinationEgesSinusoidalAndSelfAttention) {
  expect_model_gradcheck({{"attention", {{"kind", "dot"}, {"softmax", false}}}});
  expect_model_gradcheck({{"combine", "sum"}, {"position", "none"}, {"user_embedding", true}});
  expect_model_gradcheck({{"combine", "eges"}, {"position", "sinusoidal"}});
  expect_model_gradcheck({{"self_attention", {{"enabled", true}, {"heads", 3}}}, {"attention", {{"kind", "scaled_dot"}}}});
}

TEST(ModelGradcheck, MultiValuedSideInfo) {
  // item_cate as a list of values (width 3 in the gradcheck batch: cells of 1, 2 and 3 values).
  for (const char* combine : {"concat", "sum", "eges"}) {
    SCOPED_TRACE(combine);
    const ModelGradcheck r = gradcheck_model(parse_run_config(
        {{"features", {{"multi_valued", {{"item_cate", "|"}}}}}, {"model", {{"combine", combine}}}}));
    EXPECT_TRUE(r.result.ok) << r.result.message;
  }
}
