# Solutions of the exercises of 04_multi_head.ipynb, and one plausible mistake each (run_notebook.py).

# %% solution: add_a_head
params_3_heads = 4 * (24 * 24 + 24)  # q, k, v and out projections: weight [24, 24] and bias [24] each

# %% wrong: add_a_head
params_3_heads = 3 * 4 * (24 * 24 + 24)  # thinking each head brings its own 24 x 24 projections

# %% solution: weights_shape
weights_shape_8_heads = (1, 8, 1, 8)  # [B, h, Tq, T]

# %% wrong: weights_shape
weights_shape_8_heads = (1, 1, 8)  # the single-head shape [B, Tq, T]
