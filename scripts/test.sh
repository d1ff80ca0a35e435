#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds, and runs every test: the default
# preset (RelWithDebInfo, warnings as errors) and the asan preset
# (AddressSanitizer + UBSan). Usage: ./scripts/test.sh [--quick] (default only)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

jobs=$(nproc)
presets=(default asan)
[ "${1:-}" = "--quick" ] && presets=(default)

for preset in "${presets[@]}"; do
  echo "=== preset: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  # Twice as many tests as cores: most of their time is spent waiting on
  # daemons, simulators and timers, not computing (default preset: 188 s at
  # -j2, 97 s at -j4 on 2 cores).
  ctest --preset "$preset" -j "$((2 * jobs))"
done
