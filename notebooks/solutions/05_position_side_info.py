# Solutions of notebooks/05_position_side_info.ipynb's exercises (tests/notebooks/run_notebook.py runs
# them in place of the blank exercise cells; each "wrong" section is a plausible mistake its check catches).

# %% solution: gauc_toy
# Each user's AUC counts only that user's (click, non-click) pairs; then weight by impressions.
auc_u0 = auc_by_hand(p[users == "u0"], y[users == "u0"])[0]
auc_u1 = auc_by_hand(p[users == "u1"], y[users == "u1"])[0]
n_u0, n_u1 = (users == "u0").sum(), (users == "u1").sum()
gauc_by_hand = (n_u0 * auc_u0 + n_u1 * auc_u1) / (n_u0 + n_u1)

# %% wrong: gauc_toy
# The plain mean of the users' AUCs forgets that u1 has more impressions than u0.
gauc_by_hand = (auc_by_hand(p[users == "u0"], y[users == "u0"])[0] + auc_by_hand(p[users == "u1"], y[users == "u1"])[0]) / 2

# %% solution: position_norm
# Long histories are the only ones that reach positions 40-49, yet those rows end up the largest: the
# model pushes old behaviours' vectors far from where the candidate's query looks.
larger_norm = "old"

# %% wrong: position_norm
larger_norm = "recent"
