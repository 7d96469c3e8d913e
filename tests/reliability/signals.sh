#!/usr/bin/env bash
# Every stop signal saves (issue 14): SIGINT, SIGTERM (kill, timeout, batch schedulers) and SIGHUP let
# the current step finish, save a checkpoint, print how to resume and exit 128 + signal; the resumed run
# ends exactly where an uninterrupted one does. During set-up a signal stops the program within a
# second; a second signal stops it at once and leaves the last complete checkpoint loadable.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
many=(--set training.epochs=1500 --set training.patience=0 --quiet)
expect_success uninterrupted train "$config" "${many[@]}" --out "$work/whole"

# start_and_wait_for_steps DIR: a run in the background ($pid) that has taken a few steps.
start_and_wait_for_steps() {
  "$recgrad" train "$config" "${many[@]}" --out "$1" >/dev/null 2>"$1.err" &
  pid=$!
  while [[ ! -e $1/checkpoint.safetensors ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  sleep 0.3
}

for signal in INT:130 TERM:143 HUP:129; do
  name=${signal%:*} code=${signal#*:} run=$work/run-$name
  start_and_wait_for_steps "$run"
  kill -"$name" "$pid"
  wait "$pid"
  got=$?
  if [[ $got -ne $code ]] || ! grep -q "interrupted by SIG$name at step [0-9]*; continue with: recgrad train --resume" "$run.err"; then
    fail "SIG$name: exit $got (wanted $code), stderr: $(cat "$run.err")"
    continue
  fi
  expect_success "SIG$name: resume" train --resume "$run" --quiet
  [[ "$(result "$run/summary.json")" == "$(result "$work/whole/summary.json")" ]] ||
    fail "SIG$name: the resumed run ends elsewhere than the uninterrupted one"
  echo "ok   SIG$name: saved, exit $code, resumed to the uninterrupted result"
done

# Two signals in a row: the program stops at once, and the checkpoint left behind loads.
run=$work/run-twice
start_and_wait_for_steps "$run"
kill -TERM "$pid"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
got=$?
[[ $got -eq 143 ]] || fail "two SIGTERMs: exit $got, wanted 143"
expect_success "two SIGTERMs: resume" train --resume "$run" --quiet

# Ctrl-C during set-up (reading a large file) stops the program within a second (it used to wait for the
# set-up to end; SIGTERM's default already stopped it at once).
big=$work/big
mkdir -p "$big"
cp "$config" "$big/config.json"
cp "$work/data/test.tsv" "$big/test.tsv"
awk -F'\t' -v OFS='\t' 'NR == 1 { print; next } { line[NR] = $0 } END { for (i = 0; i < 40000; i++) for (n in line) print line[n] }' \
  "$work/data/train.tsv" >"$big/train.tsv"
"$recgrad" train "$big/config.json" --quiet --out "$big/run" >/dev/null 2>&1 &
pid=$!
sleep 0.2
start=$(date +%s%N)
kill -INT "$pid"
wait "$pid"
got=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [[ $got -ne 130 || $elapsed_ms -gt 1000 ]]; then
  fail "Ctrl-C during set-up: exit $got after $elapsed_ms ms (wanted 130 within 1000 ms)"
else
  echo "ok   Ctrl-C during set-up: exit 130 after $elapsed_ms ms"
fi
[[ -e $big/run ]] && fail "Ctrl-C during set-up left a run directory"
finish
