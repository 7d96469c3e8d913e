#!/usr/bin/env bash
# `recgrad prepare events` as a user runs it: a behaviour log -> train/test TSVs and a config -> a run
# on that config; its bad inputs are one stderr line naming file:line, with no output folder left.
set -u
recgrad=$1 data=$2
source "$(dirname "$0")/../reliability/lib.sh"  # work, failures, expect_error, expect_success, no_run_left, finish

expect_success events prepare events "$data/events/events.csv" --out "$work/ev"
grep -q "^train: 4 rows, 25.0% positive" "$work/out" || fail "events: counts ($(cat "$work/out"))"
grep -q "^train with: recgrad train $work/ev/recgrad.json" "$work/out" || fail "events: no train command"
for f in train.tsv test.tsv recgrad.json; do [[ -s "$work/ev/$f" ]] || fail "events: missing $f"; done

# a larger log (eight users, twelve events each, buys among the page views) trains on its own config
for user in 1 2 3 4 5 6 7 8; do
  for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
    behaviour=pv; (( (user + k) % 3 == 0 )) && behaviour=buy
    echo "$user,$(( (user * 5 + k * 7) % 13 + 100 )),$(( (user + k) % 4 )),$behaviour,$(( 1511500000 + 60 * k + user ))"
  done
done >"$work/log.csv"
expect_success events-log prepare events "$work/log.csv" --out "$work/log"
expect_success events-run train "$work/log/recgrad.json" --set training.epochs=1 --set model.embedding_dim=4 \
  --out "$work/log-run" --quiet
[[ -s "$work/log-run/summary.json" ]] || fail "events-run: no summary.json"
[[ $(grep -cxE 'candidate|pv|buy' "$work/log-run/vocab/vocab_side_item_feedback.txt") -eq 3 ]] ||
  fail "events-run: the feedback vocabulary is not candidate, pv and buy"

# the same events TAB-separated under a header give the same files
expect_success events-header prepare events "$data/events/events_header.tsv" --out "$work/ev-header"
cmp -s "$work/ev/train.tsv" "$work/ev-header/train.tsv" || fail "events-header: another train.tsv"
# --positive replaces the default behaviours: only the buy is positive, and it is in test
expect_success events-positive prepare events "$data/events/events.csv" --out "$work/ev-buy" --positive buy
grep -q "^train: 4 rows, 0.0% positive" "$work/out" || fail "events-positive: counts ($(cat "$work/out"))"

{ cat "$data/events/events.csv"; echo "3,1,1,pv"; } >"$work/short.csv"
expect_error events-short-line "short.csv:8: expected user,item,category,behaviour,timestamp" \
  prepare events "$work/short.csv" --out "$work/new/ev"
no_run_left events-short-line "$work/new"
expect_error events-missing "cannot open" prepare events "$work/nothing.csv" --out "$work/new/ev"
expect_error movielens-none "looked for u.data and u.item" prepare movielens "$data/events" --out "$work/new/ml"
no_run_left movielens-none "$work/new"
finish
