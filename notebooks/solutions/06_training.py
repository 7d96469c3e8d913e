# Solutions of notebooks/06_training.ipynb's exercises (tests/notebooks/run_notebook.py runs them in
# place of the blank exercise cells; each "wrong" section is a plausible mistake its check catches).

# %% solution: top_category
explained_100 = recgrad.load_run(str(run_dir)).explain(100)
top_category = explained_100["history"][0]["item_cate"]  # the history comes ranked by weight, highest first

# %% wrong: top_category
# The last row is the item with the LEAST weight: the list is sorted highest first.
top_category = recgrad.load_run(str(run_dir)).explain(100)["history"][-1]["item_cate"]

# %% solution: ranking
# DIN's MLP can score "same category and recent" directly and keeps raw (unnormalised) weights; its
# nearest rival is the plain dot product without softmax, about a hundredth behind.
predicted_first = "DIN"
predicted_lead = 0.01

# %% wrong: ranking
predicted_first = "multi-head"
predicted_lead = 0.05
