#!/usr/bin/env bash
# Data-parallel training (issue 17, train/distributed.h) on tiny synthetic runs:
# - `mpirun -np 2 recgrad train` matches the one-process run of the same global batches: every logged
#   train loss and validation metric, and the test metrics, to float32 tolerance (multi-head and a
#   PReLU DIN unit; a Dice unit normalises over each rank's shard and is not compared);
# - a last global batch of one sample leaves rank 0 an empty shard and still matches;
# - rank 0 alone writes: one run directory, one summary line on stdout;
# - stopped by SIGTERM and resumed with mpirun, a run ends with the same checkpoint bytes as the
#   uninterrupted 2-process run;
# - a bad config fails on every rank, non-zero, naming the key.
set -euo pipefail
recgrad=$1 configs=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
mpi=(mpirun --oversubscribe -np 2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tiny=(--set data.synthetic.impressions=2000 --set data.synthetic.num_users=100 --set data.synthetic.num_items=200
      --set training.batch_size=64 --set model.embedding_dim=4 --set model.tower.hidden=[8] --quiet)

# The metrics of two runs agree: losses to 2e-4 relative, AUCs (ranks of near-equal scores) to 2e-3. The
# shards' gradients sum in another order than one batch's, and training carries that float32 rounding
# on: 1e-8 after 70 steps in a release build, 3e-5 in the sanitizers' -O1 build. Ranks that skip the
# all-reduce (each training on its own shard) are 2.5e-3 off at the first evaluation.
same_metrics() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, math, sys
def records(run):
    lines = [json.loads(l) for l in open(run + "/metrics.jsonl")]
    return lines + [json.load(open(run + "/summary.json"))]
one, two = records(sys.argv[1]), records(sys.argv[2])
assert len(one) == len(two) > 2, f"{len(one)} against {len(two)} records"
worst = 0.0
for a, b in zip(one, two):
    for key in a:
        if key.endswith("per_s") or not isinstance(a[key], float) or math.isnan(a[key]):
            continue
        tolerance = 2e-3 if "auc" in key else 2e-4 * max(1.0, abs(a[key]))
        if abs(a[key] - b[key]) > tolerance:
            sys.exit(f"{key} at step {a.get('step', 'end')}: {a[key]} in one process, {b[key]} in two")
        worst = max(worst, abs(a[key] - b[key]))
print(f"ok   {len(one)} records agree (largest difference {worst:.2g})")
EOF
}

for case in "default.json" "din.json --set model.attention.din_activation=prelu"; do
  read -r config extra <<<"$case"
  settings=("${tiny[@]}" --set training.epochs=3 $extra)
  "$recgrad" train "$configs/$config" "${settings[@]}" --out "$work/one" >/dev/null
  "${mpi[@]}" "$recgrad" train "$configs/$config" "${settings[@]}" --out "$work/two" >"$work/stdout"
  same_metrics "$work/one" "$work/two"
  [[ $(grep -c "test AUC" "$work/stdout") == 1 ]] || { echo "not one summary line:"; cat "$work/stdout"; exit 1; }
  rm -rf "$work/one" "$work/two"
done

# Global batches of N - 1 and 1 samples: the second gives rank 0 nothing.
"$recgrad" train "$configs/default.json" "${tiny[@]}" --set training.epochs=1 --out "$work/probe" >/dev/null
n=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/probe/summary.json'))['train_impressions'])")
settings=("${tiny[@]}" --set training.epochs=2 --set training.batch_size=$((n - 1)))
"$recgrad" train "$configs/default.json" "${settings[@]}" --out "$work/one" >/dev/null
"${mpi[@]}" "$recgrad" train "$configs/default.json" "${settings[@]}" --out "$work/two" >/dev/null
same_metrics "$work/one" "$work/two"
ls "$work" | grep -qv -e '^one$' -e '^two$' -e '^probe$' -e '^stdout$' && { echo "unexpected files:"; ls "$work"; exit 1; }

# SIGTERM to the ranks (mpirun forwards its own, after a delay of a second or so): they stop at the
# same step, rank 0 saves, and --resume goes on.
long=("${tiny[@]}" --set training.epochs=12 --set training.eval_every_steps=1 --set training.patience=100000)
"${mpi[@]}" "$recgrad" train "$configs/default.json" "${long[@]}" --out "$work/whole" >/dev/null
"${mpi[@]}" "$recgrad" train "$configs/default.json" "${long[@]}" --out "$work/cut" >/dev/null 2>"$work/err" &
pid=$!
for _ in $(seq 200); do  # until a few steps are done: a signal during set-up just exits
  [[ -e $work/cut/metrics.jsonl && $(wc -l <"$work/cut/metrics.jsonl") -ge 5 ]] && break
  sleep 0.05
done
kill -TERM $(cat /proc/"$pid"/task/*/children)  # mpirun's children: the two ranks
if wait "$pid"; then echo "the run was not interrupted (it finished first)"; exit 1; fi
grep -q "interrupted by SIGTERM at step" "$work/err" || { echo "no interruption message:"; cat "$work/err"; exit 1; }
"${mpi[@]}" "$recgrad" train --resume "$work/cut" --quiet >/dev/null
cmp "$work/cut/checkpoint.safetensors" "$work/whole/checkpoint.safetensors"
cmp "$work/cut/best.safetensors" "$work/whole/best.safetensors"
echo "ok   stopped at $(grep -o 'step [0-9]*' "$work/err"), resumed: the same checkpoint bytes as the uninterrupted run"

# A bad config: every rank says so and mpirun exits non-zero.
if "${mpi[@]}" "$recgrad" train "$configs/default.json" --set optim.lr=-1 --out "$work/bad" >/dev/null 2>"$work/err"; then
  echo "a negative learning rate was accepted"; exit 1
fi
grep -q "recgrad: error: rank [01] of 2: .*lr" "$work/err" || { echo "no error naming a rank:"; cat "$work/err"; exit 1; }
[[ ! -e $work/bad ]] || { echo "a failed run left $work/bad"; exit 1; }
echo "ok   a bad config fails on every rank: $(grep -m1 'recgrad: error' "$work/err")"
