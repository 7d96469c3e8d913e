#!/usr/bin/env bash
# Kill soak (issue 14): for each attention kind, a run is killed again and again at random moments,
# with SIGKILL or SIGTERM, and restarted each time (a fresh start while it has no checkpoint yet, else
# --resume) until it finishes. The kills land in set-up, training, evaluations (one per step here),
# checkpoint writes and around the early stop. Every run must end exactly as its uninterrupted twin:
# the same summary and the same checkpoint and best-model bytes. At least 50 kills in all.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
settings=(--set training.epochs=600 --set training.eval_every_steps=1 --set training.patience=3000 --quiet)

total=0 in_setup=0 in_save=0 by_term=0
for kind in mean dot scaled_dot din multi_head; do
  kind_settings=("${settings[@]}" --set model.attention.kind=$kind)
  expect_success "$kind: uninterrupted" train "$config" "${kind_settings[@]}" --out "$work/whole-$kind"
  run=$work/killed-$kind kills=0
  while [[ ! -e $run/summary.json ]]; do
    # a scratch directory removed from outside would make every restart fail, forever
    [[ -d $work ]] || { fail "$kind: the scratch directory $work vanished"; finish; exit 1; }
    if [[ -e $run/checkpoint.safetensors ]]; then
      "$recgrad" train --resume "$run" --quiet >/dev/null 2>"$work/soak.err" &
    else
      "$recgrad" train "$config" "${kind_settings[@]}" --out "$run" >/dev/null 2>"$work/soak.err" &
    fi
    pid=$!
    if ((kills >= 12)); then  # enough kills for this kind: let it finish
      wait "$pid"
      ended_well "$kind: the last resume" $? "$work/soak.err"
      break
    fi
    # the first kill of each kind early (most often in set-up), the others anywhere in a few steps
    if ((kills == 0)); then sleep "$(printf '0.%03d' $((RANDOM % 8)))"; else sleep "$(printf '0.%03d' $((RANDOM % 150)))"; fi
    [[ -e $run/checkpoint.safetensors ]] || in_setup=$((in_setup + 1))
    if ((RANDOM % 2)); then signal=KILL; else signal=TERM; fi
    if ! kill -"$signal" "$pid" 2>/dev/null; then  # it had already finished
      wait "$pid"
      ended_well "$kind: a start or resume" $? "$work/soak.err"
      continue
    fi
    wait "$pid" 2>/dev/null
    ended_well "$kind: a start or resume" $? "$work/soak.err"
    [[ $signal == TERM ]] && by_term=$((by_term + 1))
    compgen -G "$run/*.tmp" >/dev/null && in_save=$((in_save + 1))
    kills=$((kills + 1))
  done
  total=$((total + kills))
  if [[ "$(result "$run/summary.json")" != "$(result "$work/whole-$kind/summary.json")" ]]; then
    fail "$kind: the killed run's summary differs from the uninterrupted run's"
  elif ! cmp -s "$run/checkpoint.safetensors" "$work/whole-$kind/checkpoint.safetensors" ||
    ! cmp -s "$run/best.safetensors" "$work/whole-$kind/best.safetensors"; then
    fail "$kind: the killed run's checkpoint or best model differs from the uninterrupted run's"
  else
    echo "ok   $kind: $kills kills, then the same summary and checkpoint bytes as the uninterrupted run"
  fi
done
echo "     $total kills ($by_term by SIGTERM): $in_setup during set-up, $in_save inside a file save"
((total >= 50)) || fail "only $total kills, wanted at least 50"
finish
