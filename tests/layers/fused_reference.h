#pragma once
// Fused against reference: a layer's two forms (Module::set_fused_kernels) must give the same values,
// the same gradient for every input and parameter, and the same buffers, in float64.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/graph_dot.h"
#include "core/random.h"
#include "layers/module.h"
#include "tests/test_util.h"

namespace recgrad::testing {

// Whether the graph under `y` has a node made by op `name`.
inline bool graph_uses(const Tensor& y, const std::string& name) {
  return to_dot(y).find("label=\"" + name + "\"") != std::string::npos;
}

// The fused and factored ops of core/ops.h, by the names their graph nodes carry.
inline const std::vector<std::string> kFusedOps{"linear", "prelu", "dice", "head_scores", "head_mix", "din_pair_linear"};

// Builds the layer twice with `make` (which seeds both alike), one fused and one reference, and runs
// `forward` on fresh leaves of the same `inputs`. Checks that the fused graph holds `fused_op` and
// the reference graph none of kFusedOps (so the two paths differ, in every sub-module), then outputs, the gradients of sum(output * g) for a random g of every
// input and parameter, and the buffers (Dice's running statistics), each to `tolerance`.
template <class Layer>
void expect_fused_equals_reference(const std::function<std::shared_ptr<Layer>()>& make,
                                   const std::function<Tensor(Layer&, const std::vector<Tensor>&)>& forward,
                                   const std::vector<Tensor>& inputs, const std::string& fused_op,
                                   double tolerance = 1e-12) {
  const std::shared_ptr<Layer> fused = make(), reference = make();
  reference->set_fused_kernels(false);
  std::vector<Tensor> a, b;
  for (const Tensor& in : inputs) {
    a.push_back(in.detach().requires_grad_());
    b.push_back(in.detach().requires_grad_());
  }
  const Tensor ya = forward(*fused, a), yb = forward(*reference, b);
  EXPECT_TRUE(graph_uses(ya, fused_op)) << "the fused form does not run " << fused_op;
  for (const std::string& op : kFusedOps) EXPECT_FALSE(graph_uses(yb, op)) << "the reference form runs " << op;
  EXPECT_TRUE(AllClose(ya, yb, tolerance)) << "values";
  Rng rng(99);
  const Tensor g = Tensor::uniform(ya.shape(), -1, 1, rng, DType::Float64);
  ya.backward(g);
  yb.backward(g);
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(AllClose(a[i].grad(), b[i].grad(), tolerance)) << "gradient of input " << i;
  const NamedTensors pa = fused->named_parameters(), pb = reference->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    ASSERT_EQ(pa[i].first, pb[i].first);
    EXPECT_TRUE(AllClose(pa[i].second.grad(), pb[i].second.grad(), tolerance)) << "gradient of " << pa[i].first;
  }
  const NamedTensors ba = fused->named_buffers(), bb = reference->named_buffers();
  ASSERT_EQ(ba.size(), bb.size());
  for (std::size_t i = 0; i < ba.size(); ++i)
    EXPECT_TRUE(AllClose(ba[i].second, bb[i].second, tolerance)) << "buffer " << ba[i].first;
}

}  // namespace recgrad::testing
