"""Golden values for optim/ from PyTorch: writes tests/fixtures/optim.json.

Run once with the system Python that has torch 1.13:  /usr/bin/python3 tests/golden/optim.py

The problem: two parameters of different shapes, w [3, 4] and b [4], and a fixed sequence of 20
gradients (large for 5 steps, then small, so that amsgrad's maximum matters). Each optimizer case
records the parameters after every step: "<case>.w" [20, 3, 4], "<case>.b" [20, 4]. The options of
each case are repeated in tests/optim/test_golden_trajectories.cpp.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
STEPS = 20
cases = {}


def put(name, tensor):
    t = torch.as_tensor(tensor, dtype=torch.float64)
    cases[name] = {"shape": list(t.shape), "values": [float(x) for x in t.flatten()]}


# --- the problem shared by all trajectories ---
w0 = torch.randn(3, 4)
b0 = torch.randn(4)
scale = torch.tensor([2.0 if t < 5 else 0.1 for t in range(STEPS)])
grads_w = torch.randn(STEPS, 3, 4) * scale[:, None, None] + 0.3
grads_b = torch.randn(STEPS, 4) * scale[:, None] - 0.2
put("problem.w0", w0)
put("problem.b0", b0)
put("problem.grads_w", grads_w)
put("problem.grads_b", grads_b)


def trajectory(name, make_optimizer, make_scheduler=None):
    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    opt = make_optimizer([w, b])
    sched = make_scheduler(opt) if make_scheduler else None
    ws, bs = [], []
    for t in range(STEPS):
        w.grad = grads_w[t].clone()
        b.grad = grads_b[t].clone()
        opt.step()
        if sched:
            sched.step()
        ws.append(w.detach().clone())
        bs.append(b.detach().clone())
    put(name + ".w", torch.stack(ws))
    put(name + ".b", torch.stack(bs))


O = torch.optim
trajectory("adam", lambda p: O.Adam(p, lr=0.1))
trajectory("adam_weight_decay", lambda p: O.Adam(p, lr=0.1, weight_decay=0.1))
# amsgrad with beta2 = 0.9, so that v falls well below its maximum once the gradients shrink.
trajectory("adam_amsgrad", lambda p: O.Adam(p, lr=0.1, betas=(0.9, 0.9), amsgrad=True))
trajectory("adam_amsgrad_weight_decay",
           lambda p: O.Adam(p, lr=0.1, betas=(0.9, 0.9), amsgrad=True, weight_decay=0.1))
trajectory("adam_betas_eps_maximize", lambda p: O.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-3, maximize=True))
trajectory("adamw", lambda p: O.AdamW(p, lr=0.1, weight_decay=0.1))
trajectory("adamw_amsgrad", lambda p: O.AdamW(p, lr=0.1, betas=(0.9, 0.9), weight_decay=0.1, amsgrad=True))
trajectory("sgd", lambda p: O.SGD(p, lr=0.1))
trajectory("sgd_momentum", lambda p: O.SGD(p, lr=0.1, momentum=0.9))
trajectory("sgd_nesterov", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
trajectory("sgd_dampening", lambda p: O.SGD(p, lr=0.1, momentum=0.9, dampening=0.3))
trajectory("sgd_weight_decay", lambda p: O.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1))
trajectory("sgd_nesterov_weight_decay_maximize",
           lambda p: O.SGD(p, lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True))


def warmup_cosine(opt, warmup, start_factor, t_max, eta_min):
    S = torch.optim.lr_scheduler
    return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=start_factor, total_iters=warmup),
                                S.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)], milestones=[warmup])


# Adam under a schedule: warm-up 5 steps from 0.25 * lr, then cosine to 0.001 over 15 steps.
trajectory("adam_warmup_cosine", lambda p: O.Adam(p, lr=0.1), lambda o: warmup_cosine(o, 5, 0.25, 15, 0.001))

# --- lazy Adam against torch.optim.SparseAdam ---
# A [6, 3] table; step t touches the rows with touched[t, row] = 1 (row 5 never). SparseAdam puts eps
# elsewhere (sqrt(v) + eps before bias correction), so eps is tiny here and the two rules agree.
table0 = torch.randn(6, 3)
touched = (torch.rand(STEPS, 6) < 0.5).double()
touched[:, 5] = 0
touched[0, :5] = 1
sparse_grads = torch.randn(STEPS, 6, 3) * touched[:, :, None]
put("sparse.table0", table0)
put("sparse.touched", touched)
put("sparse.grads", sparse_grads)
table = table0.clone().requires_grad_()
opt = O.SparseAdam([table], lr=0.1, eps=1e-14)
tables = []
for t in range(STEPS):
    rows = touched[t].nonzero().flatten()
    table.grad = torch.sparse_coo_tensor(rows[None, :], sparse_grads[t, rows], (6, 3))
    opt.step()
    tables.append(table.detach().clone())
put("sparse_adam.table", torch.stack(tables))

# --- gradient clipping, on the first gradients of the problem ---
put("clip.grad_w", grads_w[0])
put("clip.grad_b", grads_b[0])
for label, norm_type, max_norm in [("norm2", 2.0, 1.0), ("norm2_no_clip", 2.0, 100.0), ("norm1", 1.0, 1.0),
                                   ("norm3", 3.0, 1.0), ("norm_inf", math.inf, 1.0)]:
    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    w.grad = grads_w[0].clone()
    b.grad = grads_b[0].clone()
    total = torch.nn.utils.clip_grad_norm_([w, b], max_norm, norm_type)
    put(f"clip_{label}.total", total)
    put(f"clip_{label}.grad_w", w.grad)
    put(f"clip_{label}.grad_b", b.grad)

# --- learning-rate schedules: the lr used at steps 0, 1, ... (base lr 0.1) ---
def schedule_values(name, make_scheduler, steps):
    opt = O.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    put("schedule_" + name, torch.tensor(lrs))


S = torch.optim.lr_scheduler
schedule_values("step_decay", lambda o: S.StepLR(o, step_size=7, gamma=0.5), 30)
schedule_values("linear_warmup", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=5), 30)
schedule_values("cosine", lambda o: S.CosineAnnealingLR(o, T_max=25, eta_min=0.001), 26)
schedule_values("warmup_cosine", lambda o: warmup_cosine(o, 5, 0.25, 20, 0.001), 26)


# --- ReduceLROnPlateau(mode="max", threshold_mode="rel", eps=1e-8) on scripted metric sequences ---
# "plateau_<name>.options" = [base_lr, factor, patience, threshold, cooldown, min_lr], ".metrics" the
# metric passed to each step() (a NaN stored as 0 with ".nan" = 1 there: JSON has no NaN), ".lrs" the
# lr after each step. tests/optim/test_schedule.cpp reads the options from here.
def plateau_values(name, metrics, base_lr=0.1, factor=0.1, patience=10, threshold=1e-4, cooldown=0, min_lr=0.0):
    opt = O.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=factor, patience=patience, threshold=threshold,
                                threshold_mode="rel", cooldown=cooldown, min_lr=min_lr, eps=1e-8)
    lrs = []
    for metric in metrics:
        sched.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    nan = [1.0 if math.isnan(m) else 0.0 for m in metrics]
    put(f"plateau_{name}.options", torch.tensor([base_lr, factor, patience, threshold, cooldown, min_lr]))
    put(f"plateau_{name}.metrics", torch.tensor([0.0 if math.isnan(m) else m for m in metrics]))
    if any(nan):
        put(f"plateau_{name}.nan", torch.tensor(nan))
    put(f"plateau_{name}.lrs", torch.tensor(lrs))


NAN = float("nan")
# A rise, then a plateau: reduced after 3 bad steps (patience 2), improves, reduced again.
plateau_values("rise_then_plateau", [0.60, 0.65, 0.70, 0.72, 0.72, 0.71, 0.715, 0.70, 0.719, 0.72, 0.73, 0.74,
                                     0.735, 0.74, 0.739, 0.70], factor=0.5, patience=2)
# cooldown 2: after each reduction two steps whose bad epochs do not count.
plateau_values("cooldown", [0.70, 0.71, 0.71, 0.70, 0.70, 0.70, 0.70, 0.70, 0.70, 0.72, 0.70, 0.70, 0.70, 0.70],
               patience=1, cooldown=2)
# Down to the min_lr floor and held there (factor 0.1 from 0.1 with min_lr 0.0005).
plateau_values("min_lr", [0.8] * 8, patience=0, min_lr=0.0005)
# Gains below 1 % of best do not count (threshold 0.01): 0.705 and 0.706 are not better than 0.70.
plateau_values("threshold", [0.70, 0.705, 0.706, 0.7069, 0.7071, 0.71, 0.715, 0.716, 0.72, 0.7272, 0.7273],
               factor=0.5, patience=1, threshold=0.01)
# patience 0: every step that does not improve lowers the lr.
plateau_values("patience_0", [0.5, 0.6, 0.6, 0.59, 0.61, 0.62, 0.62, 0.5], factor=0.5, patience=0)
# A cut smaller than eps = 1e-8 is not taken: the lr stays at 1.5e-8.
plateau_values("eps", [0.5] * 5, base_lr=1.5e-8, factor=0.5, patience=0)
# NaN (an undefined AUC) is never better: first metric NaN (best stays -inf), later NaNs are bad epochs.
plateau_values("nan", [NAN, 0.6, NAN, NAN, 0.61, NAN, 0.62, NAN, NAN, NAN], factor=0.5, patience=1)
# torch's defaults (factor 0.1, patience 10, threshold 1e-4): a rise, then gains of 1e-6 that do not count.
plateau_values("defaults", [0.6 + 0.01 * i for i in range(10)] + [0.69 + 0.000001 * i for i in range(30)])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "optim.json")
with open(out, "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "tests/golden/optim.py", "cases": cases}, f)
print("wrote", os.path.normpath(out), len(cases), "cases")
