#!/usr/bin/env bash
# Nothing lost before the first checkpoint (issue 8): a run killed with SIGKILL during its set-up
# (reading the data, writing config.json, vocab/, metrics.jsonl and the first checkpoint) leaves no run
# directory, or, when it overwrites one, the previous run as it was; the same command then runs again.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
# a large tower makes the first checkpoint tens of megabytes, so the set-up's writes take a while
big=(--set model.tower.hidden=[1024,1024] --set training.epochs=1 --quiet)
run=$work/run

# run_state: what a killed set-up left at $run.
run_state() {
  if [[ ! -e $run ]]; then
    echo none
  elif [[ -s $run/checkpoint.safetensors ]]; then
    echo run
  else
    echo "broken: $(ls -A "$run" | tr '\n' ' ')"
  fi
}

# Killed while reading the data: the training file is a pipe nobody writes to yet.
mv "$work/data/train.tsv" "$work/train.tsv"
mkfifo "$work/data/train.tsv"
"$recgrad" train "$config" "${big[@]}" --out "$run" &
pid=$!
while [[ ! -e $run.setup && ! -e $run ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
sleep 0.2
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm "$work/data/train.tsv"
mv "$work/train.tsv" "$work/data/train.tsv"
[[ $(run_state) == none ]] && echo "ok   killed while reading the data: no run directory" ||
  fail "killed while reading the data: $run is $(run_state)"
expect_error "resume after a killed set-up" "nothing to resume" train --resume "$run" --quiet

# Killed while writing the set-up's files: each kill comes once config.json is written (the first
# immediately, the others after up to 50 ms), so most land between it and the first checkpoint.
in_setup=0
for ((kill_no = 0; kill_no < 6; kill_no++)); do
  "$recgrad" train "$config" "${big[@]}" --out "$run" &
  pid=$!
  while [[ ! -e $run.setup/config.json && ! -e $run ]] && kill -0 "$pid" 2>/dev/null; do :; done
  ((kill_no > 0)) && sleep "$(printf '0.%03d' $((RANDOM % 50)))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  state=$(run_state)
  case $state in
    none) in_setup=$((in_setup + 1)) ;;
    run) rm -rf "$run" ;;  # the set-up had finished: a run that resumes (nothing_lost.sh), not this test's case
    *) fail "kill $kill_no during set-up left $run $state" ;;
  esac
done
((in_setup > 0)) || fail "no kill landed during the set-up"
echo "     $in_setup of 6 kills landed during the set-up"
expect_success "the same command after killed set-ups" train "$config" "${big[@]}" --out "$run"
[[ -e $run.setup ]] && fail "the finished set-up left $run.setup behind"

# Killed while setting up a run that overwrites $run: the previous run stays whole until the new one's
# set-up is done.
cp -r "$run" "$work/previous"
overwrite=(--set output.overwrite=true --set model.tower.hidden=[1024,512])
"$recgrad" train "$config" "${big[@]}" "${overwrite[@]}" --out "$run" &
pid=$!
while [[ ! -e $run.setup/config.json ]] && kill -0 "$pid" 2>/dev/null; do :; done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if diff -r "$work/previous" "$run" >/dev/null; then
  echo "ok   killed while setting up an overwrite: the previous run is untouched"
else
  fail "killed while setting up an overwrite: the previous run changed"
fi
expect_success "the overwrite again" train "$config" "${big[@]}" "${overwrite[@]}" --out "$run"
tr -d ' \n' <"$run/config.json" | grep -q '"hidden":\[1024,512\]' || fail "the overwrite did not replace config.json"
expect_success "eval of the overwritten run" eval "$run"
finish
