"""Golden values for the ops of core/ops.h, checked by tests/core/test_*.cpp.

Run once with the system python that has torch (/usr/bin/python3 tests/golden/ops.py); it writes
tests/fixtures/ops.json. Everything is float64.

Every case `<case>` stores its inputs `<case>.<input>`, the output `<case>.output`, and, when some
input is differentiable, a random `<case>.grad_output` and the gradient `<case>.<input>.grad` of
sum(output * grad_output) for each differentiable input. Masks, conditions, targets and indices are
inputs without a gradient. The C++ test calls the same op with the same arguments (axes, sizes,
scalars are written in both places).

Masked softmax: PyTorch gives NaN on a fully masked row where recgrad gives zeros (with zero
gradient), so the reference is written with masked_fill(-1e30) and zeroed masked entries, which
equals PyTorch's softmax on every row that keeps an entry.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
torch.set_default_dtype(torch.float64)

cases = {}


def put(name, tensor):
    t = torch.as_tensor(tensor).detach().to(torch.float64).contiguous()
    cases[name] = {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


class Const:
    """An input that gets no gradient (mask, condition, targets, indices)."""

    def __init__(self, tensor):
        self.tensor = tensor


def case(name, op, **inputs):
    leaves = {}
    for key, value in inputs.items():
        if isinstance(value, Const):
            leaves[key] = value.tensor
        else:
            leaves[key] = value.detach().clone().requires_grad_()
        put(f"{name}.{key}", leaves[key])
    output = op(*leaves.values())  # in the order the inputs are named
    put(f"{name}.output", output)
    if any(t.requires_grad for t in leaves.values()):
        grad_output = torch.randn_like(output)
        (output * grad_output).sum().backward()
        put(f"{name}.grad_output", grad_output)
        for key, t in leaves.items():
            if t.requires_grad:
                put(f"{name}.{key}.grad", t.grad)


def randn(*shape):
    return torch.randn(*shape)


def positive(*shape):  # away from 0, for log, sqrt, the divisor of div, fractional powers
    return torch.empty(*shape).uniform_(0.5, 2.0)


def away_from_zero(*shape):  # relu away from its kink
    signs = torch.randint(0, 2, shape) * 2 - 1
    return signs * torch.empty(*shape).uniform_(0.2, 2.0)


# --- elementwise ---
case("add", lambda a, b: a + b, a=randn(2, 3, 4), b=randn(4))  # [B, T, D] + [D]
case("sub", lambda a, b: a - b, a=randn(2, 1, 4), b=randn(2, 3, 4))
case("mul", lambda a, b: a * b, a=randn(2, 1, 4), b=randn(2, 3, 4))  # [B, 1, D] * [B, T, D]
case("div", lambda a, b: a / b, a=randn(2, 3, 1), b=positive(1, 3, 4))
case("neg", lambda x: -x, x=randn(3, 4))
case("add_scalar", lambda x: x + 0.5, x=randn(3, 4))
case("mul_scalar", lambda x: x * -1.5, x=randn(3, 4))
case("pow", lambda x: x**3, x=randn(3, 4))
case("pow_fractional", lambda x: x**2.5, x=positive(3, 4))
case("exp", torch.exp, x=randn(3, 4))
case("log", torch.log, x=positive(3, 4))
case("sqrt", torch.sqrt, x=positive(3, 4))
case("sigmoid", torch.sigmoid, x=randn(3, 4) * 3)
case("tanh", torch.tanh, x=randn(3, 4))
case("relu", torch.relu, x=away_from_zero(3, 4))

# --- matmul ---
case("matmul_2d", torch.matmul, a=randn(3, 4), b=randn(4, 5))
case("matmul_batched", torch.matmul, a=randn(2, 3, 4, 5), b=randn(2, 3, 5, 2))
case("matmul_broadcast_batch", torch.matmul, a=randn(2, 1, 3, 4), b=randn(5, 4, 2))
case("matmul_attention_scores", torch.matmul, a=randn(2, 2, 1, 3), b=randn(2, 2, 3, 4))  # [B,h,1,d] x [B,h,d,T]
case("matmul_projection", torch.matmul, a=randn(2, 3, 4), b=randn(4, 5))  # [B, T, D] x [D, E]

# --- reductions ---
case("sum_all", torch.sum, x=randn(2, 3, 4))
case("sum_axes", lambda x: x.sum(dim=(0, 2)), x=randn(2, 3, 4))
case("sum_keepdims", lambda x: x.sum(dim=-1, keepdim=True), x=randn(2, 3, 4))
case("mean_all", torch.mean, x=randn(2, 3, 4))
case("mean_axes", lambda x: x.mean(dim=(0, 2)), x=randn(2, 3, 4))
case("mean_keepdims", lambda x: x.mean(dim=1, keepdim=True), x=randn(2, 3, 4))
case("max_axis", lambda x: x.max(dim=1).values, x=randn(2, 3, 4))
case("max_keepdims", lambda x: x.max(dim=-1, keepdim=True).values, x=randn(2, 3, 4))

# --- shape ---
case("reshape", lambda x: x.reshape(4, 6), x=randn(2, 3, 4))
case("transpose", lambda x: x.transpose(-2, -1), x=randn(2, 3, 4))
case("permute", lambda x: x.permute(0, 2, 1, 3), x=randn(2, 3, 4, 2))  # [B, T, h, d] -> [B, h, T, d]
case("permute_cycle", lambda x: x.permute(2, 0, 1), x=randn(2, 3, 4))
case("concat", lambda a, b, c: torch.cat([a, b, c], dim=1), a=randn(2, 2, 3), b=randn(2, 3, 3), c=randn(2, 1, 3))
case("concat_last", lambda a, b: torch.cat([a, b], dim=-1), a=randn(2, 3, 2), b=randn(2, 3, 4))
case("slice", lambda x: x[:, 1:3, :], x=randn(2, 4, 3))
case("split", lambda x: torch.cat(list(reversed(torch.split(x, [1, 3, 1], dim=1))), dim=1), x=randn(2, 5, 3))


# --- softmax ---
def masked_softmax(x, mask, axis, log):
    keep_none = mask.expand_as(x).bool().all(dim=axis, keepdim=True)
    filled = x.masked_fill(mask.bool(), -1e30)
    y = F.log_softmax(filled, dim=axis) if log else F.softmax(filled, dim=axis)
    return y.masked_fill(mask.bool() | keep_none, 0.0)


# key padding mask [B, 1, 1, T] over scores [B, h, 1, T]: sample 0 keeps 3 of 5 keys, sample 1 none.
key_padding = Const(torch.tensor([0, 0, 1, 0, 1, 1, 1, 1, 1, 1], dtype=torch.float64).reshape(2, 1, 1, 5))
case("softmax", lambda x: F.softmax(x, dim=-1), x=randn(2, 3, 5))
case("softmax_axis1", lambda x: F.softmax(x, dim=1), x=randn(2, 3, 5))
case("softmax_masked", lambda x, mask: masked_softmax(x, mask, -1, False), x=randn(2, 2, 1, 5), mask=key_padding)
case("log_softmax", lambda x: F.log_softmax(x, dim=-1), x=randn(2, 3, 5))
case("log_softmax_axis0", lambda x: F.log_softmax(x, dim=0), x=randn(2, 3, 5))
case("log_softmax_masked", lambda x, mask: masked_softmax(x, mask, -1, True), x=randn(2, 2, 1, 5), mask=key_padding)

# --- selection ---
case("where", lambda cond, a, b: torch.where(cond.bool(), a, b),
     cond=Const(torch.tensor([[1.0], [0.0], [1.0]])), a=randn(3, 4), b=randn(4))
case("masked_fill", lambda x, mask: x.masked_fill(mask.bool(), -1e9),
     x=randn(2, 3, 4), mask=Const(torch.tensor([0, 1, 1, 0, 0, 0, 0, 1], dtype=torch.float64).reshape(2, 1, 4)))
lengths = torch.tensor([0, 2, 4])
put("padding_mask.lengths", lengths)
put("padding_mask.output", (torch.arange(4)[None, :] >= lengths[:, None]).double())

# --- gather ---
repeats = Const(torch.tensor([[1, 4, 1], [0, 5, 1]], dtype=torch.float64))  # row 1 three times
case("gather_rows", lambda table, indices: F.embedding(indices.long(), table), table=randn(6, 3), indices=repeats)
case("gather_rows_padding", lambda table, indices: F.embedding(indices.long(), table, padding_idx=0),
     table=randn(6, 3), indices=Const(torch.tensor([[1, 0, 3], [0, 3, 5]], dtype=torch.float64)))

# --- losses ---
clicks = torch.tensor([0, 1, 1, 0, 0.3, 1, 0, 0, 0.8, 1, 1, 0], dtype=torch.float64).reshape(4, 3)  # some soft labels
case("bce_with_logits", F.binary_cross_entropy_with_logits, logits=randn(4, 3) * 3, targets=Const(clicks))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "ops.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "tests/golden/ops.py", "cases": cases}, f)
