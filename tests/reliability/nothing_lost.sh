#!/usr/bin/env bash
# Nothing lost (issue 8): a run killed with SIGKILL at random moments (many of them inside a checkpoint
# save, as it saves after every step) always resumes, and the resumed run ends exactly where an
# uninterrupted one does. An output directory that cannot be created, or a disk that cannot take a
# checkpoint, is an error before the first training step that leaves no run directory behind.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
often=(--set training.epochs=30 --set training.eval_every_steps=1 --set training.patience=0 --quiet)


start=$(date +%s%N)
expect_success "uninterrupted run" train "$config" "${often[@]}" --out "$work/whole"
duration_ms=$((($(date +%s%N) - start) / 1000000))
echo "     an uninterrupted run takes ${duration_ms} ms"

# Kill, resume, kill again... eight kills at random moments, then let the run finish.
run=$work/killed
"$recgrad" train "$config" "${often[@]}" --out "$run" >/dev/null 2>"$work/resume.err" &
kills=0 in_save=0
pid=$!
while [[ ! -e $run/checkpoint.safetensors ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
while ((kills < 8)); do
  sleep "$(printf '0.%03d' $((RANDOM % 300)))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  ended_well "a start or resume" $? "$work/resume.err"
  if [[ -e $run/summary.json ]]; then break; fi
  kills=$((kills + 1))
  compgen -G "$run/*.tmp" >/dev/null && in_save=$((in_save + 1))
  # whatever the moment of the kill, the last checkpoint is complete and loads
  [[ -s $run/checkpoint.safetensors ]] || { fail "kill $kills left no checkpoint"; break; }
  "$recgrad" train --resume "$run" --quiet >/dev/null 2>"$work/resume.err" &
  pid=$!
done
wait "$pid" 2>/dev/null
ended_well "the last resume" $? "$work/resume.err"
echo "     killed $kills times, $in_save of them inside a file save (a .tmp file present after the kill)"
if ! diff <(result "$work/whole/summary.json") <(result "$run/summary.json"); then
  fail "the killed and resumed run ended elsewhere than the uninterrupted one"
else
  echo "ok   killed and resumed run ends exactly as the uninterrupted one"
fi
diff "$work/whole/metrics.jsonl" "$run/metrics.jsonl" >/dev/null || fail "metrics.jsonl differs after resumes"

# Resuming the finished run changes nothing and says so (issue 14).
before=$(cat "$run"/summary.json "$run"/metrics.jsonl "$run"/*.safetensors | md5sum)
expect_success "resume of a finished run" train --resume "$run" --quiet
grep -q "has finished" "$work/out" || fail "resume of a finished run: stdout does not say it has finished: $(cat "$work/out")"
[[ $(cat "$run"/summary.json "$run"/metrics.jsonl "$run"/*.safetensors | md5sum) == "$before" ]] ||
  fail "resume of a finished run changed its files"

# Resuming on changed training data is refused, naming the first id that moved (issue 14): the ids
# would silently land in other embedding rows. With the original data the resume goes through.
changed=$work/changed
cp -r "$work/data" "$changed"
"$recgrad" train "$changed/config.json" --quiet --out "$changed/run" --set training.epochs=4 >/dev/null 2>&1
rm "$changed/run/summary.json"  # as if killed before the end
cp "$changed/train.tsv" "$changed/train.orig"
sed -i '2s/\ti[0-9]*\tc/\tnew-item\tc/' "$changed/train.tsv"
expect_error changed-data "vocab/vocab_item.txt:[0-9]*: the run has .* where the data now gives 'new-item'; the training data changed" \
  train --resume "$changed/run" --quiet
mv "$changed/train.orig" "$changed/train.tsv"
expect_success "resume on the original data" train --resume "$changed/run" --quiet

# An output path under a regular file cannot be created (permissions cannot block root).
touch "$work/a-file"
expect_error unwritable-dir "a-file/run.lock: cannot create the run.s lock file" train "$config" --out "$work/a-file/run" --quiet

# A disk that takes the small files but not a checkpoint: the file size limit stands in for a full
# disk; SIGXFSZ is ignored so that the write fails with EFBIG as a full disk's fails with ENOSPC.
big=(--set model.tower.hidden=[256])
expect_success "run with a larger model" train "$config" "${big[@]}" --out "$work/big" --quiet
checkpoint_kb=$(($(stat -c %s "$work/big/checkpoint.safetensors") / 1024))
small_kb=$(($(find "$work/big" -type f ! -name '*.safetensors' -printf '%s\n' | sort -n | tail -1) / 1024 + 2))
((small_kb < checkpoint_kb)) || fail "full-disk: the checkpoint (${checkpoint_kb} KB) is not the largest file"
(
  trap '' XFSZ
  ulimit -f "$small_kb"
  expect_error full-disk "checkpoint.safetensors.tmp: cannot write: File too large" \
    train "$config" "${big[@]}" --out "$work/full/run" --quiet
  exit "$failures"
) || failures=$((failures + 1))
no_run_left full-disk "$work/full/run"
finish
