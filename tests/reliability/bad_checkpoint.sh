#!/usr/bin/env bash
# Broken checkpoints of issue 8, through `recgrad eval` (best.safetensors) and `recgrad train --resume`
# (checkpoint.safetensors): one stderr line naming the file and the problem, a non-zero exit, and
# the run's other files untouched.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"

tsv_case "$work/good"
expect_success "train the run to break" train "$work/good/config.json" --out "$work/good/run" --quiet
# the same config on data with more items: every tensor has its name, some have other shapes
tsv_case "$work/more-items"
tsv_lines 8 3 | sed 's/\ti\([0-9]*\)\tc/\tnew\1\tc/' >>"$work/more-items/train.tsv"
expect_success "train a run with more items" train "$work/more-items/config.json" --out "$work/more-items/run" --quiet
tsv_case "$work/wider"
expect_success "train a run of another config" train "$work/wider/config.json" --set model.embedding_dim=6 \
  --out "$work/wider/run" --quiet

# header_length FILE: the little-endian u64 that starts a safetensors file.
header_length() { od -An -tu8 -N8 "$1" | tr -d ' '; }

# set_header_length FILE N: overwrites the length prefix.
set_header_length() {
  perl -e 'print pack("Q<", $ARGV[0])' "$2" | dd of="$1" bs=8 count=1 conv=notrunc status=none
}

# with_header FILE CODE: runs the Perl CODE on the JSON header ($_; $data is the data section's size) and
# writes the file back with the new header, padded and length-prefixed as a valid file would be.
with_header() {
  CODE=$2 perl -0777 -i -pe '
    my $n = unpack("Q<", substr($_, 0, 8));
    my ($body, $data) = (substr($_, 8 + $n), length($_) - 8 - $n);
    $_ = substr($_, 8, $n);
    eval $ENV{CODE};
    $_ .= " " x ((8 - length($_) % 8) % 8);
    $_ = pack("Q<", length($_)) . $_ . $body;' "$1"
}

# break_file NAME FILE: one way of breaking a safetensors file per NAME.
break_file() {
  local n
  case $1 in
    truncated) truncate -s $(($(stat -c %s "$2") / 2)) "$2" ;;
    empty) : >"$2" ;;
    zip-file) printf 'PK\003\004\024\000\010\010\000\000' | dd of="$2" conv=notrunc status=none ;;
    length-beyond-file) set_header_length "$2" $(($(stat -c %s "$2") + 1)) ;;
    length-cutting-header) n=$(header_length "$2") && set_header_length "$2" $((n - 16)) ;;
    header-not-json) printf 'X' | dd of="$2" bs=1 seek=8 conv=notrunc status=none ;;
    # the first tensor said to lie past the data section (sizes agreeing with shapes): its bytes go unclaimed
    offsets-moved) with_header "$2" 's/"data_offsets":\[0,(\d+)\]/"\"data_offsets\":[$data,".($data+$1)."]"/e' ;;
    # the first two-dimensional shape reversed: the same bytes, a shape the model does not have
    shape-transposed) perl -0777 -pi -e 's/"shape":\[(\d+),(\d+)\]/"\"shape\":[$2,$1]"/e' "$2" ;;
    more-items) cp "$work/more-items/run/$(basename "$2")" "$2" ;;
    other-config) cp "$work/wider/run/$(basename "$2")" "$2" ;;
    # one bit of the last tensor's last byte flipped: a valid file with a wrong weight (issue 14)
    flipped-bit) perl -0777 -pi -e 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' "$2" ;;
  esac
}

declare -A pattern=(
  [truncated]="safetensors: .*"
  [empty]="safetensors: too short for a safetensors file (0 bytes"
  [zip-file]="safetensors: header length [0-9]* is larger than the"
  [length-beyond-file]="safetensors: header length [0-9]* is larger than the"
  [length-cutting-header]="safetensors"
  [header-not-json]="safetensors"
  [offsets-moved]="safetensors: tensor '.*': data_offsets \[[0-9]*, [0-9]*\] leave bytes 0\.\.[0-9]* of the data"
  [shape-transposed]="safetensors: tensor \".*\" has shape \[.*\], the model expects"
  [more-items]="safetensors: tensor \".*\" has shape \[.*\], the model expects"
  [other-config]="safetensors: checkpoint was made for another model configuration"
  [flipped-bit]="safetensors: tensor \".*\" fails its checksum (crc32 [0-9a-f]*, stored [0-9a-f]*): the file is damaged"
)

for name in truncated empty zip-file length-beyond-file length-cutting-header header-not-json offsets-moved \
  shape-transposed more-items other-config flipped-bit; do
  # eval reads best.safetensors
  dir=$work/eval-$name
  cp -r "$work/good/run" "$dir"
  break_file "$name" "$dir/best.safetensors"
  cmp -s "$dir/best.safetensors" "$work/good/run/best.safetensors" && fail "eval/$name: the file was not changed"
  expect_error "eval/$name" "best.${pattern[$name]}" eval "$dir"

  # --resume reads checkpoint.safetensors and must leave the run as it was
  dir=$work/resume-$name
  cp -r "$work/good/run" "$dir"
  rm "$dir/summary.json"  # a run to resume has not finished (resuming a finished one changes nothing)
  break_file "$name" "$dir/checkpoint.safetensors"
  cp -r "$dir" "$dir.before"
  expect_error "resume/$name" "checkpoint.${pattern[$name]}" train --resume "$dir" --quiet
  diff -r "$dir" "$dir.before" >/dev/null || fail "resume/$name: the failed resume changed the run directory"
done

# the untouched run still evaluates: the errors above come from the breakage alone
expect_success "eval of the untouched run" eval "$work/good/run"

# NaN weights in a file whose checksums were left out (as another writer's would be): eval and predict
# refuse the model, naming the tensor, instead of printing nan and exiting 0.
dir=$work/eval-nan
cp -r "$work/good/run" "$dir"
with_header "$dir/best.safetensors" 'use JSON::PP; my $h = JSON::PP->new->decode($_);
  delete $h->{__metadata__}{$_} for grep { /^crc32\./ } keys %{$h->{__metadata__}};
  $_ = JSON::PP->new->canonical->encode($h);'
perl -0777 -pi -e 'substr($_, -4, 4) = pack("V", 0x7fc00000)' "$dir/best.safetensors"
expect_error eval/nan "best.safetensors: tensor \".*\" holds nan at index [0-9]*: the model is not usable" eval "$dir"
expect_error predict/nan "best.safetensors: tensor \".*\" holds nan" predict "$dir" "$work/good/test.tsv"
finish
