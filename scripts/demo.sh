#!/usr/bin/env bash
# The newcomer's demo. Until the daemon can watch a mailbox (see README,
# "What works today"), it builds ewstrigd, validates the shipped example
# configuration and dry-runs its triggers against the sample messages.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target ewstrigd
bin=build/default/daemon/ewstrigd

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || true; }

step "$bin" check -c config/ewstrigd.yaml
for message in config/examples/*.eml; do
  step "$bin" test -c config/ewstrigd.yaml --message "$message"
done
step "$bin" test -c config/ewstrigd.yaml --message config/examples/supplier-invoice.eml --json
