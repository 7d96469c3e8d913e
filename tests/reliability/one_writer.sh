#!/usr/bin/env bash
# One writer per run directory (issue 14): while a run trains, a second `train`, a `--resume` or an
# overwrite into its directory fails at once, naming the holder's process id; once the holder has died,
# even by SIGKILL, the directory is free again. Two identical fresh starts: one trains, one is refused.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json

run=$work/run
"$recgrad" train "$config" --set training.epochs=100000 --set training.patience=0 --quiet --out "$run" \
  >/dev/null 2>&1 &
pid=$!
while [[ ! -e $run/checkpoint.safetensors ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
in_use="in use by another recgrad process (pid $pid,"
expect_error second-train "$in_use" train "$config" --quiet --out "$run"
expect_error second-resume "$in_use" train --resume "$run" --quiet
expect_error resume-trailing-slash "$in_use" train --resume "$run/" --quiet
expect_error overwrite "$in_use" train "$config" --quiet --out "$run" --set output.overwrite=true
kill -KILL "$pid"
wait "$pid" 2>/dev/null
expect_success resume-after-the-holder-died train --resume "$run" --quiet --set training.epochs=1

# Two identical fresh starts into one directory: exactly one trains; the other is refused in one line
# (in use while the first runs, or not empty once it has finished), and the run is whole.
twin=$work/twin
for i in 1 2; do
  "$recgrad" train "$config" --quiet --out "$twin" >"$work/twin$i.out" 2>"$work/twin$i.err" &
  pids[i]=$!
done
wins=0
for i in 1 2; do
  if wait "${pids[i]}"; then
    wins=$((wins + 1))
  elif [[ $(wc -l <"$work/twin$i.err") -ne 1 ]] || ! grep -qE "in use by another|not empty" "$work/twin$i.err"; then
    fail "twin $i: refused without the one-line reason: $(head -3 "$work/twin$i.err")"
  fi
done
[[ $wins -eq 1 ]] || fail "two fresh starts: $wins succeeded, wanted exactly 1"
[[ -s $twin/summary.json && ! -e $twin.setup ]] || fail "two fresh starts: the run is not whole"
((wins == 1)) && echo "ok   two fresh starts: one trained, one refused"
finish
