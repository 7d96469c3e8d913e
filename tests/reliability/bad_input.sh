#!/usr/bin/env bash
# The bad-input table of issue 8, through the program as a user runs it: each bad config or data file
# gives one line on stderr naming the place and the problem, a non-zero exit, and no run directory;
# the same directory then takes a good run. Files that are odd but readable (CRLF, BOM, long lines)
# train exactly like their plain twin.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"

# A config case: the good TSV case with one setting changed through --set.
config_case() {
  local name=$1 pattern=$2
  shift 2
  tsv_case "$work/$name"
  expect_error "config/$name" "$pattern" train "$work/$name/config.json" "$@" --out "$work/$name/run" --quiet
  no_run_left "config/$name" "$work/$name/run"
}
config_case negative-lr "config: optim.lr: expected a number > 0, got -0.1" --set optim.lr=-0.1
config_case zero-batch "config: training.batch_size" --set training.batch_size=0
config_case dropout-one "config: model.tower.dropout" --set model.tower.dropout=1
config_case self-attention-dropout "config: model.self_attention.dropout" --set model.self_attention.dropout=1.5
config_case max-len-zero "config: features.max_len" --set features.max_len=0
config_case wrong-type "config: model.embedding_dim" --set model.embedding_dim='"eight"'
config_case unknown-attention "config: model.attention.kind.*bogus" --set model.attention.kind=bogus
config_case heads-not-dividing "config: model.attention.heads" --set model.attention.heads=3
config_case unknown-set-key "did you mean 'epochs'" --set training.epoch=3

# A number beyond a double (found by fuzz/fuzz_config): one line naming the file, not an escaped exception.
printf '{"optim": {"lr": 1e999}}' >"$work/overflow.json"
expect_error config/number-overflow "overflow.json: invalid JSON: number overflow parsing '1e999'" \
  train "$work/overflow.json" --out "$work/overflow-run" --quiet
no_run_left config/number-overflow "$work/overflow-run"

# A column the config names but the data lacks.
tsv_case "$work/absent-column" ', "output": {"dir": "unused"}'
sed -i 's/"item_cate"/"item_brand"/; s/"hist_cate_ids"/"hist_brand_ids"/' "$work/absent-column/config.json"
expect_error config/absent-column "train.tsv:1: missing column 'item_brand'" \
  train "$work/absent-column/config.json" --out "$work/absent-column/run" --quiet
no_run_left config/absent-column "$work/absent-column/run"

# A data case: the good TSV case with train.tsv replaced by $3 (printf format, so \t and \r\n show).
data_case() {
  local name=$1 pattern=$2 content=$3 dir=$work/data-$1
  tsv_case "$dir"
  printf -- "$content" >"$dir/train.tsv"
  expect_error "data/$name" "$pattern" train "$dir/config.json" --out "$dir/run" --quiet
  no_run_left "data/$name" "$dir/run"
  # the failed run blocks nothing: the same --out then takes a good run
  tsv_case "$dir"
  expect_success "data/$name: rerun into the same directory" train "$dir/config.json" --out "$dir/run" --quiet
}
h='label\tuser_id\titem_id\titem_cate\thist_item_ids\thist_cate_ids\n'
data_case empty-file "train.tsv:1: empty file" ''
data_case header-only "train.tsv:1: no impressions after the header" "$h"
data_case no-label-column "train.tsv:1: missing column 'label'" \
  'click\tuser_id\titem_id\titem_cate\thist_item_ids\thist_cate_ids\n1\tu1\ti1\tc1\ti2\tc2\n'
data_case label-not-binary "train.tsv:3: label column 'label' must be 0 or 1, found '2'" \
  "$h"'1\tu1\ti1\tc1\ti2\tc2\n2\tu1\ti1\tc1\ti2\tc2\n'
data_case label-probability "train.tsv:2: label column 'label' must be 0 or 1, found '0.5'" \
  "$h"'0.5\tu1\ti1\tc1\ti2\tc2\n'
data_case too-few-fields "train.tsv:3: expected 6 tab-separated fields (as in the header), found 5" \
  "$h"'1\tu1\ti1\tc1\ti2\tc2\n0\tu1\ti1\tc1\ti2\n'
data_case too-many-fields "train.tsv:2: expected 6 tab-separated fields (as in the header), found 7" \
  "$h"'1\tu1\ti1\tc1\ti2\tc2\textra\n'
data_case side-info-length "train.tsv:2: column 'hist_cate_ids' has 1 entries but 'hist_item_ids' has 2" \
  "$h"'1\tu1\ti1\tc1\ti2,i3\tc2\n'
data_case history-id-with-separator \
  "train.tsv:2: column 'hist_cate_ids' has 2 entries but 'hist_item_ids' has 3" \
  "$h"'1\tu1\ti1\tc1\ti2,shoes,red\tc2,c3\n'
data_case target-id-with-separator "train.tsv:2: .*'i1,i2'.*separator" "$h"'1\tu1\ti1,i2\tc1\ti2\tc2\n'
data_case empty-history-id "train.tsv:2: empty id at position 2 of column 'hist_item_ids'" \
  "$h"'1\tu1\ti1\tc1\ti2,,i3\tc2,c2,c3\n'
# a CR inside an id used to train, then broke the run's vocabulary file (one id per line) on reload
data_case cr-inside-id "train.tsv:2: column 'item_id' holds the control character 0x0D at byte 2" \
  "$h"'1\tu1\ti\r1\tc1\ti2\tc2\n'
data_case empty-line "train.tsv:3: empty line" "$h"'1\tu1\ti1\tc1\ti2\tc2\n\n0\tu1\ti1\tc1\ti2\tc2\n'

dir=$work/data-missing-file
tsv_case "$dir"
rm "$dir/train.tsv"
expect_error data/missing-file "train.tsv" train "$dir/config.json" --out "$dir/run" --quiet
no_run_left data/missing-file "$dir/run"

# A long bad line still names its line: 200000 history ids, one side-info id short.
dir=$work/data-long-bad-line
tsv_case "$dir"
{
  echo "$tsv_header"
  printf '1\tu1\ti1\tc1\t'
  seq -s, -f 'i%.0f' 200000 | tr -d '\n'
  printf '\t'
  seq -s, -f 'c%.0f' 199999 | tr -d '\n'
  printf '\n'
} >>"$dir/train.tsv.new"
mv "$dir/train.tsv.new" "$dir/train.tsv"
expect_error data/long-bad-line \
  "train.tsv:2: column 'hist_cate_ids' has 199999 entries but 'hist_item_ids' has 200000" \
  train "$dir/config.json" --out "$dir/run" --quiet
no_run_left data/long-bad-line "$dir/run"

# Readable oddities train exactly as the plain files do: the summaries agree to the last digit.
tsv_case "$work/plain"
expect_success readable/plain train "$work/plain/config.json" --out "$work/plain/run" --quiet
plain_auc=$(grep -o '"test_auc": [^,]*' "$work/plain/run/summary.json")
readable_case() {
  local name=$1 dir=$work/readable-$1
  tsv_case "$dir"
  for f in train test; do "${@:2}" <"$work/plain/$f.tsv" >"$dir/$f.tsv"; done
  expect_success "readable/$name" train "$dir/config.json" --out "$dir/run" --quiet
  local auc
  auc=$(grep -o '"test_auc": [^,]*' "$dir/run/summary.json" 2>/dev/null)
  [[ "$auc" == "$plain_auc" ]] || fail "readable/$name: $auc differs from the plain files' $plain_auc"
}
readable_case crlf sed 's/$/\r/'
readable_case bom sed '1s/^/\xef\xbb\xbf/'
readable_case crlf-and-bom sed '1s/^/\xef\xbb\xbf/; s/$/\r/'
# a history far longer than max_len keeps its most recent entries, which are the plain file's
seq -s, -f 'old%.0f' 100000 >"$work/old_items"
readable_case long-history awk -F'\t' -v OFS='\t' -v old="$work/old_items" '
  BEGIN { getline old_items <old; old_cates = old_items; gsub(/old[0-9]+/, "c0", old_cates) }
  NR > 1 && NR <= 4 { $5 = old_items "," $5; $6 = old_cates "," $6 } { print }'

# Every history empty: each attention kind sees only fully masked rows and must still give numbers
# (JSON writes NaN as null).
for kind in mean dot scaled_dot din multi_head; do
  dir=$work/empty-histories-$kind
  tsv_case "$dir"
  for f in train test; do
    awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = $6 = "" } { print }' "$work/plain/$f.tsv" >"$dir/$f.tsv"
  done
  expect_success "empty-histories/$kind" train "$dir/config.json" --set model.attention.kind=$kind \
    --out "$dir/run" --quiet
  # GAUC alone may be undefined (null): these splits have users with one class only
  sed -E 's/"(valid|test)_gauc": ?null//g' "$dir/run/summary.json" "$dir/run/metrics.jsonl" | grep -qiE 'nan|inf|null' &&
    fail "empty-histories/$kind: NaN or infinity"
done

finish
