# Solutions to the exercises of notebooks/02_target_attention.ipynb, and one plausible mistake per exercise.
# tests/notebooks/run_notebook.py runs the notebook with the solutions in place of the exercise cells and
# proves that each checking cell fails on the blank cell and on the mistake.

# %% solution: softmax_weight
# Subtract the top score: e^0 = 1 against e^-2 ≈ 0.135 (twice) and e^-4 ≈ 0.018, so 1 / 1.289.
scores_to_predict = np.array([4.0, 2.0, 2.0, 0.0])
top_weight = 0.78

# %% wrong: softmax_weight
# The top score's share of the sum of scores, 4 / 8: proportional, not softmax.
scores_to_predict = np.array([4.0, 2.0, 2.0, 0.0])
top_weight = 0.5

# %% solution: raw_or_softmax
# A weighted sum: the first user's 1.458, plus score × sport of the football (0.9 × 0.9) and the boots (1.08 × 0.6).
enthusiast_raw_sport = 1.458 + 0.9 * 0.9 + 1.08 * 0.6

# %% wrong: raw_or_softmax
# Treats the raw output as an average, which repeated items do not change.
enthusiast_raw_sport = 1.458

# %% solution: padding_mask
mask = [[0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1]]

# %% wrong: padding_mask
# 1 for the real items: the opposite convention.
mask = [[1, 1, 1, 1, 1],
        [1, 1, 0, 0, 0]]
