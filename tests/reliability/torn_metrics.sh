#!/usr/bin/env bash
# metrics.jsonl after a kill (issue 8): a kill in the middle of appending an evaluation leaves its last
# line torn, which `recgrad train --resume` drops (that evaluation is made again); an unreadable line
# anywhere else is damage, an error naming metrics.jsonl and the line, and the run stays as it was.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
expect_success "a run to resume" train "$config" --set training.eval_every_steps=2 --set training.patience=0 --out "$work/run" --quiet
metrics=$work/run/metrics.jsonl
(($(wc -l <"$metrics") >= 3)) || fail "the run wrote fewer than 3 evaluations"

# resume_with NAME: a copy of the run whose metrics.jsonl the caller then changes; without its summary,
# as a run killed during an append has none (resuming a finished run changes nothing).
resume_with() {
  rm -rf "$work/$1"
  cp -r "$work/run" "$work/$1"
  rm "$work/$1/summary.json"
}

# A torn last line, cut at several places of a record: the resumed run's metrics.jsonl is the original.
record=$(tail -1 "$metrics")
for cut in 1 10 $((${#record} / 2)) $((${#record} - 1)); do
  resume_with torn
  printf '%s' "${record:0:cut}" >>"$work/torn/metrics.jsonl"
  expect_success "resume with the last line torn after $cut characters" train --resume "$work/torn" --quiet
  cmp -s "$work/torn/metrics.jsonl" "$metrics" || fail "torn after $cut: metrics.jsonl is not the original"
done

# expect_damage NAME PATTERN: --resume of $work/$NAME fails naming the line, and changes nothing.
expect_damage() {
  cp -r "$work/$1" "$work/$1.before"
  expect_error "$1" "$2" train --resume "$work/$1" --quiet
  diff -r "$work/$1" "$work/$1.before" >/dev/null || fail "$1: the failed resume changed the run directory"
}

# A torn line followed by more lines is not the last append: line 2 is damaged.
resume_with middle
sed -i '2s/.*/{"epoch": 1, "st/' "$work/middle/metrics.jsonl"
expect_damage middle "metrics.jsonl:2: not an evaluation record"

# A complete last line (it ends with a newline) that is not a record is damage, not a torn append.
resume_with last-complete
echo '{"epoch": 1, "st' >>"$work/last-complete/metrics.jsonl"
expect_damage last-complete "metrics.jsonl:$(($(wc -l <"$metrics") + 1)): not an evaluation record"

# JSON that is not an evaluation record.
resume_with no-step
sed -i '1s/"step"/"steps"/' "$work/no-step/metrics.jsonl"
expect_damage no-step "metrics.jsonl:1: not an evaluation record with an integer \"step\""
finish
