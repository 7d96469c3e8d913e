"""backward() and .grad against hand-derived gradients, no_grad, to_dot."""
import numpy as np

import recgrad as rg


def test_backward_fills_grad_of_the_leaves():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    w = np.array([[0.3], [-0.7]])
    a, b = rg.tensor(x, requires_grad=True), rg.tensor(w, requires_grad=True)
    loss = rg.sum(rg.tanh(a @ b))
    loss.backward()
    dz = 1 - np.tanh(x @ w) ** 2  # d loss / d (x w)
    np.testing.assert_allclose(a.grad.numpy(), dz @ w.T)
    np.testing.assert_allclose(b.grad.numpy(), x.T @ dz)


def test_a_reused_non_leaf_accumulates():
    a = rg.tensor([1.0], requires_grad=True)
    b = a + a
    rg.sum(b + b).backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0])


def test_grad_is_none_before_backward_and_without_requires_grad():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    c = rg.tensor([3.0, 4.0])
    assert a.grad is None
    rg.sum(a * c).backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    assert c.grad is None
    a.zero_grad()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])


def test_backward_with_a_grad_output():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    (a * 3.0).backward(rg.tensor([1.0, -1.0]))
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, -3.0])


def test_no_grad_records_no_graph_and_restores_the_mode():
    a = rg.tensor([1.0], requires_grad=True)
    with rg.no_grad():
        assert not rg.grad_enabled()
        y = a * 2.0
    assert rg.grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert (a * 2.0).requires_grad


def test_to_dot_names_the_ops_of_the_graph():
    a = rg.tensor([[1.0, 2.0]], requires_grad=True)
    loss = rg.sum(rg.sigmoid(a @ rg.tensor([[1.0], [2.0]])))
    dot = rg.to_dot(loss)
    assert dot.startswith("digraph")
    for op in ("matmul", "sigmoid", "sum"):
        assert op in dot
