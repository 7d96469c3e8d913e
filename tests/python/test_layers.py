"""Every attention layer and the other layers against known results: the PyTorch fixtures the C++
tests use, the example program's JSON, and NumPy; each layer's float64 gradient check."""
import json
import os
import subprocess

import numpy as np
import pytest

import recgrad as rg

R = np.random.default_rng(3)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("fused", [True, False])
def test_multi_head_attention_matches_pytorch(fixtures, fused):
    c = fixtures("attention")
    mha = rg.MultiHeadAttention(8, 2, rg.Rng(0), "float64")
    mha.set_fused_kernels(fused)
    for name, _ in mha.named_parameters():
        mha[name] = c["mha." + name]
    query = rg.tensor(c["mha.query"], requires_grad=True)
    keys = rg.tensor(c["mha.keys"], requires_grad=True)
    values = rg.tensor(c["mha.values"], requires_grad=True)
    output, weights = mha.forward(query, keys, values, rg.tensor(c["mha.key_padding_mask"]))
    np.testing.assert_allclose(output.numpy(), c["mha.output"], atol=1e-12)
    np.testing.assert_allclose(weights.numpy(), c["mha.weights"], atol=1e-12)
    loss = rg.sum(output * rg.tensor(c["mha.grad_output"])) + rg.sum(weights * rg.tensor(c["mha.grad_weights"]))
    loss.backward()
    np.testing.assert_allclose(query.grad.numpy(), c["mha.query.grad"], atol=1e-12)
    np.testing.assert_allclose(keys.grad.numpy(), c["mha.keys.grad"], atol=1e-12)
    for name, p in mha.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), c["mha." + name + ".grad"], atol=1e-12, err_msg=name)


def test_dot_attention_matches_the_example_program(bin_dir):
    out = json.loads(subprocess.run([os.path.join(bin_dir, "example_target_attention")], check=True,
                                    capture_output=True, text=True).stdout)
    query = rg.tensor(np.array(out["candidate"]["vec"])[None, None, :])
    history = rg.tensor(np.array([h["vec"] for h in out["history"]])[None])
    for kind, softmax_on in (("softmax", True), ("raw", False)):
        output, weights = rg.DotProductAttention(softmax_on).forward(query, history, history)
        np.testing.assert_allclose(weights.numpy().ravel(), out["user"][kind]["weights"], atol=1e-15)
        np.testing.assert_allclose(output.numpy().ravel(), out["user"][kind]["output"], atol=1e-15)


def inputs(B=2, T=4, D=4, lengths=(4, 2)):
    q = R.standard_normal((B, 1, D))
    k = R.standard_normal((B, T, D))
    mask = (np.arange(T)[None, :] >= np.array(lengths)[:, None]).astype(np.float64)
    return q, k, mask


def test_scaled_dot_attention_matches_numpy():
    q, k, mask = inputs()
    output, weights = rg.ScaledDotProductAttention().forward(rg.tensor(q), rg.tensor(k), rg.tensor(k), rg.tensor(mask))
    scores = np.where(mask[:, None, :] == 1, -np.inf, q @ k.transpose(0, 2, 1) / 2.0)
    np.testing.assert_allclose(weights.numpy(), softmax(scores), atol=1e-14)
    np.testing.assert_allclose(output.numpy(), softmax(scores) @ k, atol=1e-14)


def test_mean_pooling_averages_the_unpadded_keys_and_gives_zeros_for_an_empty_history():
    q, k, mask = inputs(lengths=(3, 0))
    output, weights = rg.MeanPooling().forward(rg.tensor(q), rg.tensor(k), rg.tensor(k), rg.tensor(mask))
    np.testing.assert_allclose(output.numpy()[0, 0], k[0, :3].mean(0), atol=1e-14)
    np.testing.assert_array_equal(output.numpy()[1], 0.0)
    np.testing.assert_array_equal(weights.numpy()[1], 0.0)


@pytest.mark.parametrize("fused", [True, False])
def test_din_attention_matches_numpy_from_its_own_parameters(fused):
    q, k, mask = inputs()
    din = rg.DinAttention(4, rg.Rng(1), "float64", softmax=False, hidden=[5], activation="sigmoid")
    din.set_fused_kernels(fused)
    p = din.state_dict()
    output, weights = din.forward(rg.tensor(q), rg.tensor(k), rg.tensor(k), rg.tensor(mask))
    qb = np.broadcast_to(q, k.shape)
    features = np.concatenate([qb, k, qb - k, qb * k], -1)  # [B, T, 4D]
    hidden = sigmoid(features @ p["mlp.layers.0.weight"].T + p["mlp.layers.0.bias"])
    scores = (hidden @ p["mlp.layers.1.weight"].T + p["mlp.layers.1.bias"])[..., 0] * (1 - mask)  # [B, T]
    np.testing.assert_allclose(weights.numpy()[:, 0], scores, atol=1e-14)
    np.testing.assert_allclose(output.numpy()[:, 0], np.einsum("bt,btd->bd", scores, k), atol=1e-14)


def test_writing_a_parameter_changes_the_next_forward():
    q, k, _ = inputs()
    din = rg.DinAttention(4, rg.Rng(1), "float64", softmax=False, hidden=[3], activation="sigmoid")
    din["mlp.layers.1.weight"] = np.zeros((1, 3))
    din["mlp.layers.1.bias"] = np.array([2.0])
    _, weights = din.forward(rg.tensor(q), rg.tensor(k), rg.tensor(k))
    np.testing.assert_array_equal(weights.numpy(), np.full((2, 1, 4), 2.0))  # every raw score is the bias
    with pytest.raises(ValueError, match=r'"mlp.layers.1.bias" has shape \[1\], got an array of shape \[2\]'):
        din["mlp.layers.1.bias"] = np.zeros(2)
    with pytest.raises(KeyError, match="no parameter or buffer"):
        din["nothing"]


@pytest.mark.parametrize("kind", rg.attention_kind_names())
def test_every_attention_kind_passes_gradcheck(kind):
    q, k, mask = inputs()
    layer = rg.make_attention(kind, 4, rg.Rng(5), "float64", heads=2, din_hidden=[3], din_activation="sigmoid")
    params = layer.parameters()
    mask_t = rg.tensor(mask)
    result = rg.gradcheck(lambda q, k, *_: layer.forward(q, k, k, mask_t)[0],
                          [rg.tensor(q, requires_grad=True), rg.tensor(k, requires_grad=True)] + params)
    assert result.ok, result.message


def test_linear_and_embedding_match_pytorch(fixtures):
    c = fixtures("layers")
    out_features, in_features = c["linear.weight"].shape
    linear = rg.Linear(in_features, out_features, rg.Rng(0), "float64")
    linear["weight"], linear["bias"] = c["linear.weight"], c["linear.bias"]
    x = rg.tensor(c["linear.x"], requires_grad=True)
    y = linear.forward(x)
    np.testing.assert_allclose(y.numpy(), c["linear.output"], atol=1e-12)
    rg.sum(y * rg.tensor(c["linear.grad_output"])).backward()
    np.testing.assert_allclose(linear["weight"].grad.numpy(), c["linear.weight.grad"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), c["linear.x.grad"], atol=1e-12)

    rows, dim = c["embedding.weight"].shape
    embedding = rg.Embedding(rows, dim, rg.Rng(0), "float64", padding_idx=0)
    embedding["weight"] = c["embedding.weight"]
    e = embedding.forward(c["embedding.indices"].astype(np.int64))
    np.testing.assert_allclose(e.numpy(), c["embedding.output"], atol=1e-12)
    rg.sum(e * rg.tensor(c["embedding.grad_output"])).backward()
    np.testing.assert_allclose(embedding["weight"].grad.numpy(), c["embedding.weight.grad"], atol=1e-12)


def test_prelu_matches_pytorch(fixtures):
    c = fixtures("layers")
    prelu = rg.PReLU(c["prelu.weight"].size, "float64")
    prelu["weight"] = c["prelu.weight"]
    np.testing.assert_allclose(prelu.forward(rg.tensor(c["prelu.x"])).numpy(), c["prelu.output"], atol=1e-12)


def test_item_embedding_concatenates_its_field_rows():
    items = rg.ItemEmbedding([("id", 5, 2), ("category", 3, 3)], "concat", rg.Rng(0), "float64")
    ids, cats = np.array([[1, 4]]), np.array([[2, 0]])
    out = items.forward([ids, cats]).numpy()
    assert out.shape == (1, 2, 5)
    np.testing.assert_allclose(out[0, 0], np.concatenate([items["id.weight"].numpy()[1],
                                                          items["category.weight"].numpy()[2]]))
    np.testing.assert_array_equal(out[0, 1, 2:], 0.0)  # category 0 pads


def test_sinusoidal_positions_follow_the_formula():
    pos = rg.PositionEmbedding(6, 4, rg.Rng(0), "float64", kind="sinusoidal")
    out = pos.forward(rg.tensor(np.zeros((1, 6, 4)))).numpy()[0]
    t = np.arange(6)[:, None]
    freq = 1.0 / 10000 ** (np.array([0, 2]) / 4)
    np.testing.assert_allclose(out[:, 0::2], np.sin(t * freq), atol=1e-14)
    np.testing.assert_allclose(out[:, 1::2], np.cos(t * freq), atol=1e-14)


def test_mlp_and_activations_match_numpy():
    mlp = rg.MLP([3, 4, 2], "relu", 0.0, rg.Rng(2), "float64")
    p = mlp.state_dict()
    x = R.standard_normal((5, 3))
    expected = np.maximum(x @ p["layers.0.weight"].T + p["layers.0.bias"], 0) @ p["layers.1.weight"].T + p["layers.1.bias"]
    np.testing.assert_allclose(mlp.forward(rg.tensor(x)).numpy(), expected, atol=1e-14)
    np.testing.assert_allclose(rg.make_activation("sigmoid", 3, "float64").forward(rg.tensor(x)).numpy(), sigmoid(x))
    result = rg.gradcheck(lambda x, *_: mlp.forward(x), [rg.tensor(x, requires_grad=True)] + mlp.parameters())
    assert result.ok, result.message
