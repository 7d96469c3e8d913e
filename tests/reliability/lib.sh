# Shared by the reliability scripts: a scratch directory, a tiny TSV data set and its config, and
# expect_error, the check every bad input must pass. Source it after setting `recgrad`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

# expect_error NAME PATTERN ARGS...: recgrad must exit non-zero with exactly one stderr line matching PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$recgrad" "$@" >"$work/out" 2>"$work/err"
  local code=$? lines
  lines=$(wc -l <"$work/err")
  if [[ $code -eq 0 || $lines -ne 1 ]] || ! grep -q -- "$pattern" "$work/err"; then
    fail "$name: exit $code, $lines stderr lines (wanted one matching '$pattern'):"
    head -5 "$work/err"
  else
    echo "ok   $name: $(cat "$work/err")"
  fi
}

# expect_success NAME ARGS...: recgrad must exit 0.
expect_success() {
  local name=$1
  shift
  if "$recgrad" "$@" >"$work/out" 2>"$work/err"; then
    echo "ok   $name"
  else
    fail "$name: exit $?:"
    head -5 "$work/err"
  fi
}

# result SUMMARY: the lines of a summary.json that must not depend on interruptions (not the timing).
result() { grep -E '"(valid_auc|test_auc|test_logloss|best_step|steps|epochs|early_stopped)"' "$1"; }

# ended_well NAME CODE ERR: a process the test may kill ended by its signal (137 SIGKILL, 143 SIGTERM) or
# by itself with success; else it fails, showing ERR (its stderr). What a killed process wrote is not
# judged: a kill can land anywhere, even in a sanitizer's leak report at exit.
ended_well() {
  case $2 in 0 | 137 | 143) return 0 ;; esac
  fail "$1: exit $2: $(head -3 "$3")"
}

# no_run_left NAME DIR: a failed command must not leave a run directory, or its set-up, behind.
no_run_left() {
  local d
  for d in "$2" "$2.setup"; do
    [[ -e $d ]] && fail "$1: the failed command left $d behind ($(ls -A "$d" | tr '\n' ' '))"
  done
  return 0
}

tsv_header=$'label\tuser_id\titem_id\titem_cate\thist_item_ids\thist_cate_ids'

# tsv_lines N SEED: N impressions whose click follows whether the target's category is in the history.
tsv_lines() {
  local i item cate h1 h2
  for ((i = 0; i < $1; i++)); do
    item=$(((i * 7 + $2) % 13)) cate=$(((i * 7 + $2) % 13 % 3)) h1=$(((i + $2) % 13)) h2=$(((i * 5 + 1) % 13))
    printf '%d\tu%d\ti%d\tc%d\ti%d,i%d\tc%d,c%d\n' $(((h1 % 3 == cate) || (h2 % 3 == cate))) $((i % 6)) \
      "$item" "$cate" "$h1" "$h2" $((h1 % 3)) $((h2 % 3))
  done
}

# tsv_case DIR: DIR/config.json reading DIR/train.tsv and DIR/test.tsv, both written well (histories of
# at most 2 items, max_len 2, so a longer history keeps exactly the plain file's items); a case then
# breaks the one it is about. Extra config text (JSON members) may follow as $2.
tsv_case() {
  mkdir -p "$1"
  { echo "$tsv_header"; tsv_lines 48 1; } >"$1/train.tsv"
  { echo "$tsv_header"; tsv_lines 16 5; } >"$1/test.tsv"
  cat >"$1/config.json" <<JSON
{"data": {"source": "tsv", "train": "train.tsv", "test": "test.tsv"},
 "features": {"label": "label", "user": "user_id", "item": "item_id", "item_side": ["item_cate"],
              "history": "hist_item_ids", "history_side": ["hist_cate_ids"], "max_len": 2},
 "model": {"embedding_dim": 4, "attention": {"kind": "multi_head", "heads": 2}, "tower": {"hidden": [4]}},
 "training": {"epochs": 2, "batch_size": 8}${2:-}}
JSON
}

finish() {
  echo "$failures failure(s)"
  [[ $failures -eq 0 ]]
}
