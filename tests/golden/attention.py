"""Golden values for tests/layers/test_multi_head_attention.cpp and test_transformer_block.cpp.

Run once with the system python that has torch (/usr/bin/python3 tests/golden/attention.py); it
writes tests/fixtures/attention.json. Everything is float64. Parameters are drawn at random (not
torch's init, whose zero biases would hide bias mistakes) and stored under recgrad's names:
torch's packed in_proj_weight [3D, D] = [Wq; Wk; Wv] is split into q_proj/k_proj/v_proj, likewise
in_proj_bias.

Cases (no sample has all keys padded here: torch gives NaN there, recgrad zeros):
  mha.*          MultiheadAttention(D=8, h=2, batch_first=True), query [3, 2, 8], keys/values
                 [3, 5, 8], key_padding_mask from lengths [5, 3, 1]; loss = sum(output * grad_output)
                 + sum(weights * grad_weights) with per-head weights (average_attn_weights=False).
  block.*        TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0, relu,
                 batch_first=True, post-norm), src [3, 4, 8], src_key_padding_mask from lengths
                 [4, 2, 1]; loss = sum(output * grad_output).
"""
import json
import os

import torch

torch.manual_seed(20240607)
torch.set_default_dtype(torch.float64)

cases = {}


def put(name, tensor):
    t = tensor.detach().to(torch.float64).contiguous()
    cases[name] = {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def key_padding_mask(lengths, T):
    """[B, T] bool, True = padded (torch's convention); stored as 0/1."""
    return torch.arange(T)[None, :] >= torch.tensor(lengths)[:, None]


def put_projections(prefix, mha, with_grad):
    """Stores torch's packed in_proj as recgrad's q_proj/k_proj/v_proj, and out_proj."""
    D = mha.embed_dim
    for i, name in enumerate(["q_proj", "k_proj", "v_proj"]):
        put(f"{prefix}{name}.weight", mha.in_proj_weight[i * D:(i + 1) * D])
        put(f"{prefix}{name}.bias", mha.in_proj_bias[i * D:(i + 1) * D])
        if with_grad:
            put(f"{prefix}{name}.weight.grad", mha.in_proj_weight.grad[i * D:(i + 1) * D])
            put(f"{prefix}{name}.bias.grad", mha.in_proj_bias.grad[i * D:(i + 1) * D])
    put(f"{prefix}out_proj.weight", mha.out_proj.weight)
    put(f"{prefix}out_proj.bias", mha.out_proj.bias)
    if with_grad:
        put(f"{prefix}out_proj.weight.grad", mha.out_proj.weight.grad)
        put(f"{prefix}out_proj.bias.grad", mha.out_proj.bias.grad)


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)


def multi_head_attention_case():
    B, Tq, T, D, h = 3, 2, 5, 8, 2
    mha = torch.nn.MultiheadAttention(D, h, bias=True, batch_first=True)
    randomize(mha)
    query = torch.randn(B, Tq, D, requires_grad=True)
    keys = torch.randn(B, T, D, requires_grad=True)
    values = torch.randn(B, T, D, requires_grad=True)
    mask = key_padding_mask([5, 3, 1], T)
    output, weights = mha(query, keys, values, key_padding_mask=mask, need_weights=True,
                          average_attn_weights=False)
    grad_output = torch.randn_like(output)
    grad_weights = torch.randn_like(weights)
    ((output * grad_output).sum() + (weights * grad_weights).sum()).backward()

    put("mha.query", query)
    put("mha.keys", keys)
    put("mha.values", values)
    put("mha.key_padding_mask", mask.double())
    put("mha.grad_output", grad_output)
    put("mha.grad_weights", grad_weights)
    put("mha.output", output)
    put("mha.weights", weights)
    put("mha.query.grad", query.grad)
    put("mha.keys.grad", keys.grad)
    put("mha.values.grad", values.grad)
    put_projections("mha.", mha, with_grad=True)


def transformer_block_case():
    B, T, D, h, F = 3, 4, 8, 2, 16
    layer = torch.nn.TransformerEncoderLayer(D, h, dim_feedforward=F, dropout=0.0, activation="relu",
                                             batch_first=True, norm_first=False)
    randomize(layer)
    layer.train()  # the fused inference path of torch 1.13 is skipped in training mode
    history = torch.randn(B, T, D, requires_grad=True)
    mask = key_padding_mask([4, 2, 1], T)
    output = layer(history, src_key_padding_mask=mask)
    grad_output = torch.randn_like(output)
    (output * grad_output).sum().backward()

    put("block.history", history)
    put("block.key_padding_mask", mask.double())
    put("block.grad_output", grad_output)
    put("block.output", output)
    put("block.history.grad", history.grad)
    put_projections("block.self_attn.", layer.self_attn, with_grad=True)
    for name in ["linear1", "linear2", "norm1", "norm2"]:
        for kind in ["weight", "bias"]:
            p = getattr(getattr(layer, name), kind)
            put(f"block.{name}.{kind}", p)
            put(f"block.{name}.{kind}.grad", p.grad)


multi_head_attention_case()
transformer_block_case()

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "attention.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "tests/golden/attention.py", "cases": cases}, f)
