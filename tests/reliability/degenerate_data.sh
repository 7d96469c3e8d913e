#!/usr/bin/env bash
# Degenerate evaluation data never kills a run (issue 14): a split where no user has both a click and
# a non-click (GAUC undefined), a split of one class (AUC undefined, with a warning) and a run with no
# evaluation inside it all finish with a best checkpoint, writing null for what is undefined; `eval`
# scores such files too.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"

# finishes NAME DIR ARGS...: the run exits 0, leaves best.safetensors and a summary, and `eval` works.
finishes() {
  local name=$1 dir=$2
  shift 2
  expect_success "$name" train "$dir/config.json" --out "$dir/run" --quiet "$@"
  [[ -s $dir/run/best.safetensors && -s $dir/run/summary.json ]] || fail "$name: no best checkpoint or summary"
  expect_success "$name: eval" eval "$dir/run"
}

# One impression per user in the test split (a leave-one-out split): GAUC is null, AUC is not.
dir=$work/one-per-user
tsv_case "$dir"
awk -F'\t' -v OFS='\t' 'NR > 1 { $2 = "t" NR } { print }' "$dir/test.tsv" >"$dir/t" && mv "$dir/t" "$dir/test.tsv"
finishes one-per-user "$dir"
grep -q '"test_gauc": null' "$dir/run/summary.json" || fail "one-per-user: test_gauc is not null"
grep -q '"test_auc": null' "$dir/run/summary.json" && fail "one-per-user: test_auc is null, but AUC is defined"
grep -q '"gauc":null' "$work/out" || fail "one-per-user: eval does not write gauc null: $(cat "$work/out")"

# A test split of clicks only: a one-line warning, the run goes on, test_auc is null.
dir=$work/only-clicks
tsv_case "$dir"
awk -F'\t' -v OFS='\t' 'NR > 1 { $1 = 1 } { print }' "$dir/test.tsv" >"$dir/t" && mv "$dir/t" "$dir/test.tsv"
finishes only-clicks "$dir"
grep -q '"test_auc": null' "$dir/run/summary.json" || fail "only-clicks: test_auc is not null"
"$recgrad" train "$dir/config.json" --out "$dir/run2" --quiet 2>"$work/warn" >/dev/null
grep -q "warning: the test split has only clicks (16 impressions): its AUC is undefined" "$work/warn" ||
  fail "only-clicks: no warning: $(cat "$work/warn")"

# A validation split of non-clicks only (each user's last training impressions): the best checkpoint
# is the latest evaluation, and the run ends normally.
dir=$work/one-class-validation
tsv_case "$dir"
awk -F'\t' -v OFS='\t' 'NR == 1 { print; next } { line[NR] = $0; user[NR] = $2; last[$2] = NR }
  END { for (n = 2; n <= NR; n++) { split(line[n], f, "\t"); if (last[user[n]] == n) f[1] = 0
          out = f[1]; for (i = 2; i <= 6; i++) out = out "\t" f[i]; print out } }' \
  "$dir/train.tsv" >"$dir/t" && mv "$dir/t" "$dir/train.tsv"
finishes one-class-validation "$dir" --set data.validation_fraction=0.125
grep -q '"valid_auc": null' "$dir/run/summary.json" || fail "one-class-validation: valid_auc is not null"

# No evaluation falls inside the run (eval_every_steps beyond its 12 steps): one is made at the end.
dir=$work/late-evaluation
tsv_case "$dir"
finishes late-evaluation "$dir" --set training.eval_every_steps=1000
[[ $(wc -l <"$dir/run/metrics.jsonl") -eq 1 ]] || fail "late-evaluation: wanted one evaluation, at the end"
finish
