# Solutions to the exercises of notebooks/01_autograd.ipynb, and one plausible mistake per exercise.
# tests/notebooks/run_notebook.py runs the notebook with the solutions in place of the exercise cells and
# proves that each checking cell fails on the blank cell and on the mistake.

# %% solution: grad_of_x
# The chain rule down to w*x gives dL/d(w*x) = 2y(1 - y²); the mul then multiplies by the other factor, w.
yv = y.item()
dL_dx = 2 * yv * (1 - yv**2) * w_values

# %% wrong: grad_of_x
# Copies dL/dw: multiplies by x instead of the other factor w.
yv = y.item()
dL_dx = 2 * yv * (1 - yv**2) * x_values

# %% solution: sgd_step
reset()
lr = 0.1
for name, p in model.named_parameters():
    model[name] = p.numpy() - lr * p.grad.numpy()

# %% wrong: sgd_step
# Steps along the gradient (uphill) instead of against it.
reset()
lr = 0.1
for name, p in model.named_parameters():
    model[name] = p.numpy() + lr * p.grad.numpy()
