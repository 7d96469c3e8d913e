"""Tensors to and from NumPy, and the errors a bad input gives."""
import numpy as np
import pytest

import recgrad as rg


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_round_trip_keeps_values_shape_and_dtype(dtype):
    a = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(dtype)
    t = rg.tensor(a)
    assert t.shape == (2, 3, 4)
    assert t.dtype == np.dtype(dtype)
    back = t.numpy()
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, a)


def test_numpy_copies_so_editing_the_array_leaves_the_tensor():
    a = np.arange(4.0)
    t = rg.tensor(a)
    a[0] = 100.0
    out = t.numpy()
    out[1] = 100.0
    np.testing.assert_array_equal(t.numpy(), [0.0, 1.0, 2.0, 3.0])


def test_lists_and_integers_become_float64_unless_dtype_says():
    assert rg.tensor([[1, 2], [3, 4]]).dtype == np.float64
    assert rg.tensor([1, 2], dtype="float32").dtype == np.float32
    assert rg.tensor(np.float32(2.5)).shape == ()
    assert rg.tensor(3.0).item() == 3.0


def test_a_dtype_other_than_float_is_a_value_error():
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got int32"):
        rg.tensor([1], dtype="int32")


def test_float_indices_are_refused():
    table = rg.tensor(np.eye(3))
    with pytest.raises(ValueError, match="indices must be integers, got an array of float64"):
        rg.gather_rows(table, np.array([0.0, 1.0]))


def test_cpp_invalid_argument_arrives_as_value_error_with_its_one_line_message():
    a = rg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError) as error:
        rg.matmul(a, a)
    message = str(error.value)
    assert "matmul" in message and "[2, 3]" in message and "\n" not in message
    with pytest.raises(ValueError, match="num_heads"):
        rg.MultiHeadAttention(10, 3, rg.Rng(0))
