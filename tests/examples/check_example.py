"""Runs one examples/ program and checks that the JSON it prints is right, not just well-formed.

  /usr/bin/python3 tests/examples/check_example.py multi_head build/bin/example_multi_head

The notebooks show these numbers to learners; each check recomputes from the printed inputs what the
program claims (a softmax, a chain rule, a weighted sum) or tests a property that a wrong program
would break (weights sum to 1, padded keys get 0, h = 1 multi-head equals single-head attention).
Standard library only. Exits non-zero with one line per failed check.
"""
import json
import math
import subprocess
import sys

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * (1 + abs(b))


def all_close(xs, ys, tol=1e-9):
    return len(xs) == len(ys) and all(close(x, y, tol) for x, y in zip(xs, ys))


def softmax(scores):
    top = max(scores)
    e = [math.exp(s - top) for s in scores]
    return [v / sum(e) for v in e]


def gradcheck_passed(message):
    return message.startswith("gradcheck passed")


def autograd_steps(ex):
    # z = w·x + b, y = tanh(z), L = y², with x = (1, 2) as in the program and chapter 1.
    value = {t["tensor"]: t["value"] for t in ex["forward"]}
    w, b, x = value["w"], value["b"][0], [1.0, 2.0]
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    y = math.tanh(z)
    check(close(value["y = tanh(z)"][0], y) and close(value["L = y²"][0], y * y), f"forward values {value}")
    grad = {s["tensor"]: s["grad"] for s in ex["backward"]}
    dz = 2 * y * (1 - y * y)
    check(close(grad["b"], dz), f"dL/db = {grad['b']}, chain rule gives {dz}")
    check(all_close(grad["w"], [dz * xi for xi in x]), f"dL/dw = {grad['w']}, chain rule gives {[dz * xi for xi in x]}")
    for s in ex["backward"]:
        if "by_hand" in s:
            check(s["grad"] == s["by_hand"], f"{s['tensor']}: engine {s['grad']} vs by hand {s['by_hand']}")
    check(ex["gradcheck"]["ok"] and gradcheck_passed(ex["gradcheck"]["message"]), ex["gradcheck"]["message"])
    ops = [line for line in ex["dot"].splitlines() if "shape=ellipse" in line]
    check(len(ops) == 5 and ex["dot"].startswith("digraph"), f"the graph should have 5 ops (mul, sum, add, tanh, mul): {ops}")


def target_attention(ex):
    # Scores are dot products with the candidate; softmax weights are softmax(scores); raw weights are
    # the scores; either way the output is Σ_t weight_t · item_t.
    q = ex["candidate"]["vec"]
    items = {it["name"]: it["vec"] for it in ex["history"]}
    for who in ("user", "enthusiast"):
        res = ex[who]
        vecs = [items[name] for name in res["items"]]
        scores = [sum(a * b for a, b in zip(q, v)) for v in vecs]
        check(all_close(res["raw"]["weights"], scores), f"{who}: raw weights {res['raw']['weights']} vs q·k {scores}")
        check(all_close(res["softmax"]["weights"], softmax(scores)), f"{who}: softmax weights are not softmax(q·k)")
        for kind in ("raw", "softmax"):
            weights = res[kind]["weights"]
            pooled = [sum(wt * v[d] for wt, v in zip(weights, vecs)) for d in range(len(q))]
            check(all_close(res[kind]["output"], pooled), f"{who} {kind}: output {res[kind]['output']} vs Σ w·v {pooled}")
    check(len(ex["enthusiast"]["items"]) > len(ex["user"]["items"]), "the enthusiast should have a longer history")
    pb = ex["padded_batch"]
    T = len(pb["weights"]) // len(pb["lengths"])
    for b, length in enumerate(pb["lengths"]):
        w, mask = pb["weights"][b * T:(b + 1) * T], pb["key_padding_mask"][b * T:(b + 1) * T]
        check(mask == [0.0] * length + [1.0] * (T - length), f"user {b}: mask {mask} for length {length}")
        check(all(wt == 0.0 for wt, m in zip(w, mask) if m == 1.0), f"user {b}: padded keys get weight {w}")
        check(close(sum(w), 1.0), f"user {b}: weights sum to {sum(w)}")
        real = [it["vec"] for it in ex["history"]][:length]
        check(all_close(w[:length], softmax([sum(a * c for a, c in zip(q, v)) for v in real])),
              f"user {b}: the real keys' weights are not the softmax over the real keys alone")


def attention_scaling(ex):
    # Unscaled scores spread like sqrt(d_k), saturating softmax and shrinking its gradient; scaled ones
    # keep unit spread whatever d_k.
    rows = ex["rows"]
    plain = sorted((r for r in rows if not r["scaled"]), key=lambda r: r["d_k"])
    scaled = sorted((r for r in rows if r["scaled"]), key=lambda r: r["d_k"])
    check([r["d_k"] for r in plain] == [r["d_k"] for r in scaled] and len(plain) >= 5, "one scaled and one unscaled row per d_k")
    for r in plain:
        check(0.6 * math.sqrt(r["d_k"]) < r["score_std"] < 1.2 * math.sqrt(r["d_k"]), f"unscaled d_k={r['d_k']}: score std {r['score_std']}, expected about sqrt(d_k)")
    for r in scaled:
        check(0.6 < r["score_std"] < 1.2, f"scaled d_k={r['d_k']}: score std {r['score_std']}, expected about 1")
    for r in rows:
        check(1 / ex["keys"] <= r["max_weight"] <= 1, f"d_k={r['d_k']}: largest weight {r['max_weight']} outside [1/T, 1]")
    check(all(a["max_weight"] < b["max_weight"] for a, b in zip(plain, plain[1:])), "unscaled saturation should grow with d_k")
    check(plain[-1]["grad_norm"] < 0.5 * scaled[-1]["grad_norm"], "at the largest d_k the unscaled gradient should be much smaller")
    spread = [r["grad_norm"] for r in scaled]
    check(max(spread) < 1.2 * min(spread), f"scaled gradients should not depend on d_k: {spread}")


def multi_head(ex):
    h, T = ex["heads"], ex["history_len"]
    count = sum(math.prod(p["shape"]) for p in ex["parameters"])
    check(count == ex["parameter_count"], f"parameter_count {ex['parameter_count']} vs the shapes' total {count}")
    dim = dict((p["name"], p["shape"]) for p in ex["parameters"])["q_proj.weight"][0]
    stages = {s["stage"]: s["shape"] for s in ex["stages"]}
    check(stages["one head: Q_i, K_i, V_i"] == [1, 1, dim // h], f"head shape {stages['one head: Q_i, K_i, V_i']} for D={dim}, h={h}")
    check(stages["weights, all heads"] == [1, h, 1, T], f"weights shape {stages['weights, all heads']}")
    weights = ex["head_weights"]
    check(len(weights) == h * T, f"{len(weights)} head weights for {h} heads x {T} keys")
    for i in range(h):
        row = weights[i * T:(i + 1) * T]
        check(close(sum(row), 1.0) and min(row) > 0, f"head {i}: weights {row} are not a softmax")
    check(len({tuple(weights[i * T:(i + 1) * T]) for i in range(h)}) == h, "the heads should weigh the history differently")
    check(ex["split_by_hand_max_diff"] < 1e-12, f"layer vs head-by-head differ by {ex['split_by_hand_max_diff']}")
    one = ex["single_head"]
    check(close(sum(one["weights"]), 1.0), "h = 1: weights do not sum to 1")
    check(one["weights_max_diff"] < 1e-12 and one["output_max_diff"] < 1e-12,
          f"h = 1 differs from scaled dot-product attention: weights {one['weights_max_diff']}, output {one['output_max_diff']}")


def extending(ex):
    sp = ex["softplus"]
    expected = [max(x, 0) + math.log1p(math.exp(-abs(x))) for x in sp["x"]]
    check(all_close(sp["y"], expected, 1e-12), f"softplus {sp['y']} vs log(1 + e^x) {expected}")
    check(gradcheck_passed(sp["gradcheck"]), sp["gradcheck"])
    add = ex["additive_attention"]
    check(gradcheck_passed(add["gradcheck"]), add["gradcheck"])
    check(sorted(p["name"] for p in add["parameters"]) == ["key_proj.bias", "key_proj.weight", "query_proj.weight", "v"], f"parameters {add['parameters']}")
    rows = [add["weights"][i:i + 3] for i in range(0, len(add["weights"]), 3)]
    for row in rows:
        check(close(sum(row), 1.0), f"additive attention weights {row} do not sum to 1")
    check(rows[-1][-1] == 0.0, "the padded key of the second sample should get weight 0")
    check(ex["ok"] is True, "the program reports ok = false")


CHECKS = {f.__name__: f for f in (autograd_steps, target_attention, attention_scaling, multi_head, extending)}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: check_example.py {{{','.join(CHECKS)}}} PROGRAM")
    name, program = sys.argv[1], sys.argv[2]
    done = subprocess.run([program], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"check_example: {program} exited with {done.returncode}:\n{done.stderr}")
    try:
        CHECKS[name](json.loads(done.stdout))
    except (KeyError, IndexError, TypeError, ValueError) as e:
        problems.append(f"unexpected JSON ({type(e).__name__}: {e})")
    if problems:
        sys.exit(f"check_example {name}: " + "\n".join(problems))
    print(f"{name}: all checks passed")
