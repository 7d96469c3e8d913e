"""The ops against NumPy, the Python operators, and every op's float64 gradient check."""
import numpy as np
import pytest

import recgrad as rg

R = np.random.default_rng(7)
A = R.standard_normal((2, 3))
B = R.standard_normal((3,)) + 3.0  # away from 0 for division


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_operators_match_numpy_with_broadcasting():
    a, b = rg.tensor(A), rg.tensor(B)
    np.testing.assert_allclose((a + b).numpy(), A + B)
    np.testing.assert_allclose((a - b).numpy(), A - B)
    np.testing.assert_allclose((a * b).numpy(), A * B)
    np.testing.assert_allclose((a / b).numpy(), A / B)
    np.testing.assert_allclose((-a).numpy(), -A)
    np.testing.assert_allclose((2.0 - a).numpy(), 2.0 - A)
    np.testing.assert_allclose((2.0 / b).numpy(), 2.0 / B)
    np.testing.assert_allclose((a ** 2).numpy(), A ** 2)
    np.testing.assert_allclose((a @ rg.tensor(A.T)).numpy(), A @ A.T)


def test_functions_match_numpy():
    a, p = rg.tensor(A), rg.tensor(np.abs(A) + 0.5)
    np.testing.assert_allclose(rg.exp(a).numpy(), np.exp(A))
    np.testing.assert_allclose(rg.log(p).numpy(), np.log(np.abs(A) + 0.5))
    np.testing.assert_allclose(rg.sqrt(p).numpy(), np.sqrt(np.abs(A) + 0.5))
    np.testing.assert_allclose(rg.tanh(a).numpy(), np.tanh(A))
    np.testing.assert_allclose(rg.sigmoid(a).numpy(), 1 / (1 + np.exp(-A)))
    np.testing.assert_allclose(rg.relu(a).numpy(), np.maximum(A, 0))
    np.testing.assert_allclose(rg.softmax(a, 1).numpy(), softmax(A, 1))
    np.testing.assert_allclose(rg.log_softmax(a, 0).numpy(), np.log(softmax(A, 0)))
    np.testing.assert_allclose(rg.sum(a).numpy(), A.sum())
    np.testing.assert_allclose(rg.sum(a, 1, keepdims=True).numpy(), A.sum(1, keepdims=True))
    np.testing.assert_allclose(rg.mean(a, [0]).numpy(), A.mean(0))
    np.testing.assert_allclose(rg.max(a, 1).numpy(), A.max(1))
    np.testing.assert_allclose(rg.transpose(a, 0, 1).numpy(), A.T)
    np.testing.assert_allclose(rg.reshape(a, [3, 2]).numpy(), A.reshape(3, 2))
    np.testing.assert_allclose(rg.concat([a, a], 0).numpy(), np.concatenate([A, A], 0))
    np.testing.assert_allclose(rg.slice(a, 1, 1, 3).numpy(), A[:, 1:3])
    np.testing.assert_allclose(rg.linear(a, rg.tensor(A), rg.tensor(B[:2])).numpy(), A @ A.T + B[:2])


def test_masked_softmax_gives_zero_weight_and_an_all_masked_row_of_zeros():
    mask = rg.padding_mask([2, 0], 3, dtype="float64")  # [2, 3], 1 = padded
    np.testing.assert_array_equal(mask.numpy(), [[0, 0, 1], [1, 1, 1]])
    w = rg.softmax(rg.tensor(A), 1, mask).numpy()
    np.testing.assert_allclose(w[0], np.append(softmax(A[0, :2], 0), 0.0))
    np.testing.assert_array_equal(w[1], [0, 0, 0])


def test_gather_rows_takes_the_index_array_shape():
    table = R.standard_normal((5, 2))
    idx = np.array([[1, 4], [0, 1]])
    np.testing.assert_allclose(rg.gather_rows(rg.tensor(table), idx).numpy(), table[idx])


def leaf(shape, shift=0.0):
    return rg.tensor(R.standard_normal(shape) + shift, requires_grad=True)


GRADCHECKS = {
    "add": (lambda a, b: a + b, [(2, 3), (3,)]),
    "sub": (lambda a, b: a - b, [(2, 3), (2, 1)]),
    "mul": (lambda a, b: a * b, [(2, 3), (3,)]),
    "div": (lambda a, b: a / b, [(2, 3), (3,)]),
    "pow": (lambda a: rg.pow(rg.exp(a), 1.5), [(2, 3)]),
    "log": (lambda a: rg.log(rg.exp(a) + 1.0), [(2, 3)]),
    "sqrt": (lambda a: rg.sqrt(rg.exp(a)), [(2, 3)]),
    "tanh_sigmoid": (lambda a: rg.tanh(a) * rg.sigmoid(a), [(2, 3)]),
    "matmul": (lambda a, b: a @ b, [(2, 2, 3), (3, 4)]),
    "linear": (lambda x, w, b: rg.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    "softmax": (lambda a: rg.softmax(a, 1) * rg.log_softmax(a, 0), [(3, 4)]),
    "reductions": (lambda a: rg.sum(a, [0]) * rg.mean(a, 1, keepdims=True) + rg.max(a, 0), [(3, 4)]),
    "shape": (lambda a, b: rg.permute(rg.concat([rg.reshape(a, [3, 2]), rg.transpose(b, 0, 1)], 1), [1, 0]),
              [(2, 3), (2, 3)]),
    "split_slice": (lambda a: rg.split(a, [1, 2], 1)[1] * rg.slice(a, 1, 0, 2), [(2, 3)]),
    "where_masked_fill": (lambda a, b: rg.masked_fill(rg.where(rg.tensor([[1.0, 0.0, 1.0]]), a, b),
                                                      rg.tensor([0.0, 1.0, 0.0]), 2.0), [(2, 3), (2, 3)]),
    "gather_rows": (lambda t: rg.gather_rows(t, np.array([[0, 2], [2, 1]])), [(3, 2)]),
    "head_scores_mix": (lambda q, k: rg.head_mix(rg.softmax(rg.head_scores(q, k, 2, 0.5), -1), k),
                        [(2, 1, 4), (2, 3, 4)]),
    "prelu": (lambda x, w: rg.prelu(x, w), [(3, 4), (4,)]),
    "dice": (lambda x, a: rg.dice(x, a), [(5, 3), (3,)]),
    "bce_with_logits": (lambda x: rg.bce_with_logits(x, rg.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])), [(2, 3)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck_passes_through_the_binding(name):
    f, shapes = GRADCHECKS[name]
    inputs = [leaf(s) for s in shapes]
    result = rg.gradcheck(f, inputs)
    assert result.ok, result.message
    assert result.checked > 0


def test_gradcheck_fails_for_a_function_whose_inputs_leave_the_graph():
    # detach() cuts the graph: backward gives zero where central differences see the dependence.
    result = rg.gradcheck(lambda a: a.detach() * a, [leaf((2, 2), shift=2.0)])
    assert not result.ok
    assert result.message.startswith("gradcheck FAILED")
