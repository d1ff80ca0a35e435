#!/bin/sh
# systemd-analyze verify on the shipped units. verify insists that ExecStart's
# program exists, so it runs on copies whose /usr/bin/ewstrigd points at the
# binary just built. Any message (even a "ignoring" parse warning, which does
# not change verify's exit status) fails the test.
# usage: verify.sh BUILT_BINARY UNIT_SOURCE_DIR WORK_DIR
set -u
binary=$1 src=$2 work=$3
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIPPED: systemd-analyze is not installed (Debian package: systemd)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
status=0
for unit in ewstrigd.service ewstrigd@.service; do
  sed "s|/usr/bin/ewstrigd|$binary|g" "$src/$unit" > "$work/$unit" || exit 1
  out=$(cd "$work" && systemd-analyze verify "./$unit" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: $unit (exit $rc)"
    echo "$out"
    status=1
  else
    echo "ok: $unit"
  fi
done
exit $status
