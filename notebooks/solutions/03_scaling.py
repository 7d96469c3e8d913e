# Solutions of the exercises of 03_scaling.ipynb, and one plausible mistake each (run_notebook.py).

# %% solution: dk_saturation
dk_saturated = next(d for d in [2 ** i for i in range(1, 12)] if top_weight(d) > 0.9)

# %% wrong: dk_saturation
dk_saturated = 128  # the last d_k of the table below 0.9

# %% solution: additive_from_ops
def my_additive_attention(query, keys, values, W_q, W_k, b, v):
    B, Tq, D = query.shape
    T, H = keys.shape[1], v.shape[0]
    q = rg.reshape(rg.matmul(query, rg.transpose(W_q, 0, 1)), [B, Tq, 1, H])    # W_q q      [B, Tq, 1, H]
    k = rg.reshape(rg.matmul(keys, rg.transpose(W_k, 0, 1)) + b, [B, 1, T, H])  # W_k k + b  [B, 1, T, H]
    scores = rg.reshape(rg.matmul(rg.tanh(q + k), v), [B, Tq, T])               # v · tanh(...)
    weights = rg.softmax(scores, -1)
    return rg.matmul(weights, values), weights

# %% wrong: additive_from_ops
def my_additive_attention(query, keys, values, W_q, W_k, b, v):
    B, Tq, D = query.shape
    T, H = keys.shape[1], v.shape[0]
    q = rg.reshape(rg.matmul(query, rg.transpose(W_q, 0, 1)), [B, Tq, 1, H])
    k = rg.reshape(rg.matmul(keys, rg.transpose(W_k, 0, 1)) + b, [B, 1, T, H])
    scores = rg.reshape(rg.matmul(q + k, v), [B, Tq, T])  # forgot the tanh: a linear score
    weights = rg.softmax(scores, -1)
    return rg.matmul(weights, values), weights
