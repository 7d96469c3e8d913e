#!/usr/bin/env bash
# `recgrad train CONFIG --profile 3` on a tiny synthetic run: exit 0, the per-op table on stderr (stdout
# untouched) with the ops the model uses and the rows that are not ops, non-negative figures, and rows
# whose times add up to the table's total.
set -euo pipefail
recgrad=$1 configs=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tiny=(--set data.synthetic.impressions=800 --set data.synthetic.num_users=50 --set data.synthetic.num_items=80
      --set training.epochs=1 --set training.batch_size=64 --set model.embedding_dim=4 --set model.tower.hidden=[8])

"$recgrad" train "$configs/default.json" "${tiny[@]}" --out "$work/run" --quiet --profile 3 >"$work/out" 2>"$work/err"
grep -q "test AUC" "$work/out"
if grep -q "profile of" "$work/out"; then echo "the table went to stdout"; exit 1; fi
grep -q "^profile of 3 steps: " "$work/err" || { echo "no table header"; cat "$work/err"; exit 1; }
for name in linear gather_rows softmax bce_with_logits "\[autograd engine\]" "\[optimizer step\]" \
            "\[batch building\]" "\[rest\]" total; do
  grep -q "^$name " "$work/err" || { echo "no row $name"; cat "$work/err"; exit 1; }
done
# The rows: from the column header to the total line. Every figure non-negative; the times of the rows
# add up to the total (each printed to 0.01 ms, hence the tolerance), as do the shares to 100 %.
awk '
  /^name / { rows = 1; next }
  !rows { next }
  { for (i = 2; i <= NF; ++i) if ($i + 0 < 0) { print "negative: " $0; bad = 1 } }
  /^total / { total = $(NF - 3); total_share = $(NF - 2); next }
  { sum += $(NF - 4); share += $(NF - 2); ++n }
  END {
    if (bad) exit 1
    if (n < 5) { print "only " n " rows"; exit 1 }
    if (sum - total > 0.01 * n || total - sum > 0.01 * n) { print "rows sum to " sum " ms, total " total; exit 1 }
    if (share < 99 || share > 101 || total_share != "100.0%") { print "shares sum to " share; exit 1 }
  }' "$work/err"
