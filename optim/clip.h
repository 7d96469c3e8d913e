#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ of PyTorch 1.13.
// Parameters without a gradient are left out, as PyTorch leaves out `p.grad is None`.
#include "core/tensor.h"

namespace recgrad {

// Rescales all gradients together so that their global norm is at most `max_norm`:
//   total = || (||g_1||_q, ..., ||g_n||_q) ||_q        (q = norm_type; q = infinity: max |g|)
//   g_i  *= min(1, max_norm / (total + 1e-6))
// and returns `total`, the norm before clipping (computed in double). A non-finite total is
// returned as is and, as in PyTorch, turns the gradients into NaN or zero; check it to skip a step.
// Throws std::invalid_argument when max_norm < 0 or norm_type <= 0.
double clip_grad_norm(const NamedTensors& params, double max_norm, double norm_type = 2.0);

// Clamps every gradient element into [-clip_value, clip_value]. Throws when clip_value < 0.
void clip_grad_value(const NamedTensors& params, double clip_value);

}  // namespace recgrad
