#!/usr/bin/env bash
# A user's path through the program on a tiny synthetic run: train, eval, predict, explain, resume.
set -euo pipefail
recgrad=$1 configs=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tiny=(--set data.synthetic.impressions=800 --set data.synthetic.num_users=50 --set data.synthetic.num_items=80
      --set training.epochs=2 --set training.batch_size=64 --set model.embedding_dim=4 --set model.tower.hidden=[8])

"$recgrad" train "$configs/default.json" "${tiny[@]}" --out "$work/run" --quiet >"$work/train.out"
grep -q "test AUC" "$work/train.out"
for f in config.json metrics.jsonl summary.json best.safetensors checkpoint.safetensors vocab/vocab_item.txt; do
  [[ -s "$work/run/$f" ]] || { echo "missing $f"; exit 1; }
done

"$recgrad" eval "$work/run" >"$work/eval.out"
grep -q '"auc"' "$work/eval.out"

# predict on a TSV written in the run's format: one probability per data line
printf 'label\tuser_id\titem_id\titem_cate\titem_brand\thist_item_ids\thist_cate_ids\thist_brand_ids\n1\tu1\ti3\tc3\tb3\ti3,i11\tc3,c3\tb3,b11\n0\tu2\ti4\tc4\tb4\t\t\t\n' >"$work/two.tsv"
"$recgrad" predict "$work/run" "$work/two.tsv" --out "$work/scores.tsv"
[[ $(wc -l <"$work/scores.tsv") -eq 3 ]]
# the same lines without their label column score the same
cut -f2- "$work/two.tsv" >"$work/unlabelled.tsv"
"$recgrad" predict "$work/run" "$work/unlabelled.tsv" --out "$work/unlabelled_scores.tsv"
cmp "$work/scores.tsv" "$work/unlabelled_scores.tsv"

"$recgrad" explain "$work/run" "$work/two.tsv" --line 1 >"$work/explain.out"
grep -q "position 0 = most recent" "$work/explain.out"
grep -q "empty history" <("$recgrad" explain "$work/run" "$work/two.tsv" --line 2)

# a second run into the same directory is refused, the first run's files stay
if "$recgrad" train "$configs/default.json" "${tiny[@]}" --out "$work/run" --quiet 2>/dev/null; then
  echo "overwrote a finished run"; exit 1
fi
[[ -s "$work/run/summary.json" ]]
# MovieLens-1M format -> TSV and config (prepare) -> a run on that config
mkdir -p "$work/ml-1m"
cp "$(dirname "$0")/../data/movielens/movies.dat" "$work/ml-1m/"
for user in 1 2 3 4 5 6; do  # ten ratings each, in time order, mixed likes and dislikes
  for k in 0 1 2 3 4 5 6 7 8 9; do
    echo "$user::$(( (user + k) % 5 + 1 ))::$(( (user * 7 + k * 3) % 5 + 1 ))::$(( 978300000 + 100 * k + user ))"
  done
done >"$work/ml-1m/ratings.dat"
"$recgrad" prepare movielens "$work/ml-1m" --out "$work/ml" >"$work/prepare.out"
grep -q "train with: recgrad train $work/ml/recgrad.json" "$work/prepare.out"
"$recgrad" train "$work/ml/recgrad.json" --set training.epochs=1 --set model.embedding_dim=4 --out "$work/ml-run" \
  --quiet >/dev/null
[[ -s "$work/ml-run/summary.json" ]]
# the run embeds the feedback: the candidate's constant and the history's liked/disliked
[[ $(grep -cxE 'candidate|liked|disliked' "$work/ml-run/vocab/vocab_side_item_feedback.txt") -eq 3 ]]
echo "workflow ok"
