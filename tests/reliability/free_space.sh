#!/usr/bin/env bash
# The free-space check before training (issue 8): a run directory on a file system with less than 64 MiB
# available is refused before anything is written; with a little more, the same run trains. The small
# disks are tmpfs mounts in a mount namespace of their own (unshare, which needs no root: the user
# namespace maps the caller to root), so nothing outside this test sees them.
set -u
recgrad=$1
source "$(dirname "$0")/lib.sh"
tsv_case "$work/data"
config=$work/data/config.json
unshare -rm true || fail "unshare -rm (user and mount namespaces) is not permitted here; this test needs it"

# on_disk_of MB ARGS...: recgrad ARGS with $work/disk a fresh tmpfs of MB mebibytes; prints the
# run directory's listing afterwards, before the mount goes away.
mkdir "$work/disk"
cat >"$work/on-disk" <<'SH'
#!/usr/bin/env bash
disk=$1 mb=$2 recgrad=$3
shift 3
exec unshare -rm bash -c 'mount -t tmpfs -o size="$1"m tmpfs "$0" || exit; "$2" "${@:3}"; code=$?
  ls -A "$0" >"$0.listing"; exit $code' "$disk" "$mb" "$recgrad" "$@"
SH
chmod +x "$work/on-disk"
real=$recgrad
recgrad=$work/on-disk

expect_error "48 MiB free" "disk/run.setup: only 50.3 MB free, need at least 67.1 MB" \
  "$work/disk" 48 "$real" train "$config" --out "$work/disk/run" --quiet
[[ -s $work/disk.listing ]] && fail "48 MiB free: the refused run left $(cat "$work/disk.listing")"
expect_success "80 MiB free" "$work/disk" 80 "$real" train "$config" --out "$work/disk/run" --quiet
grep -qx run "$work/disk.listing" || fail "80 MiB free: no run directory ($(cat "$work/disk.listing"))"
finish
