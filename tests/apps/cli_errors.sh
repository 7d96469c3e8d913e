#!/usr/bin/env bash
# Every bad invocation: a non-zero exit, exactly one line on stderr naming the problem, no run directory.
set -u
recgrad=$1 configs=$2
source "$(dirname "$0")/../reliability/lib.sh"  # work, failures, expect_error, no_run_left

printf '{"model": {"atention": {}}}' >"$work/typo.json"
printf '{"model": {\n  "embedding_dim": 8,\n}}' >"$work/broken.json"
printf '{"model": {"attention": {"kind": "multi_head", "heads": 5}}}' >"$work/heads.json"
printf '{"data": {"source": "tsv", "train": "missing.tsv", "test": "missing.tsv"}, "output": {"dir": "%s/tsvrun"}}' "$work" >"$work/tsv.json"

expect_error missing-config "no-such.json" train "$work/no-such.json" --out "$work/run1"
expect_error invalid-json "broken.json:3:" train "$work/broken.json" --out "$work/run2"
expect_error unknown-key "did you mean 'attention'" train "$work/typo.json" --out "$work/run3"
expect_error heads "model.attention.heads" train "$work/heads.json" --out "$work/run4"
expect_error bad-set "optim.lr" train "$configs/default.json" --set optim.lr=-1 --out "$work/run5"
expect_error unknown-set "optim.lrr" train "$configs/default.json" --set optim.lrr=0.1 --out "$work/run6"
expect_error missing-tsv "missing.tsv" train "$work/tsv.json"
expect_error no-config "CONFIG" train
expect_error no-run "no such run directory" eval "$work/nowhere"
expect_error resume-nothing "nothing to resume" train --resume "$work"
# A config the machine cannot hold is refused before the model is built, naming the keys (issue 14).
expect_error too-big "config: this run needs about .* GB but the machine has .* available: .*model.embedding_dim 4096.*training.batch_size 1048576" \
  train "$configs/default.json" --set model.embedding_dim=4096 --set model.attention.heads=1 \
  --set model.self_attention.enabled=false --set training.batch_size=1048576 --out "$work/run7"
expect_error unknown-flag "recgrad: error: The following argument was not expected: --bogus" train --bogus
expect_error no-subcommand "recgrad: error: A subcommand is required"
expect_error explain-negative-line "recgrad: error: --line must be at least 1, got -1" explain "$work/nowhere" --line -1
expect_error explain-user-and-line "recgrad: error: --line excludes --user" explain "$work/nowhere" --user u1 --line 2
expect_error profile-zero "recgrad: error: --profile: Value 0 not in range 1 to 1000000" train "$configs/default.json" --profile 0
for run in run1 run2 run3 run4 run5 run6 run7; do no_run_left "$run" "$work/$run"; done
echo "$failures failure(s)"
[[ $failures -eq 0 ]]
