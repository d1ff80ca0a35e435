#!/usr/bin/env bash
# The newcomer's demo: builds ewstrigd and the bundled EWS simulator, starts
# both, delivers mail into the simulated mailbox and shows the configured
# actions firing exactly once, also across a restart (config/demo/ewstrigd.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target ewstrigd ews-sim
bin=build/default/daemon/ewstrigd
sim=build/default/tests/ews-sim/ews-sim

export DEMO_DIR DEMO_EWS_URL DEMO_PASSWORD=demo-password
DEMO_DIR=$(mktemp -d /tmp/ewstrigd-demo.XXXXXX)
sim_pid='' daemon_pid=''
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() {  # wait_for SECONDS COMMAND...: retry until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

say "starting the EWS simulator (mailbox demo@example.com, basic auth)"
"$sim" --listen 127.0.0.1:0 --user "demo@example.com:$DEMO_PASSWORD" >"$DEMO_DIR/sim.log" 2>&1 &
sim_pid=$!
wait_for 10 grep -q 'listening on' "$DEMO_DIR/sim.log"
base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$DEMO_DIR/sim.log" | head -1)
DEMO_EWS_URL="$base/EWS/Exchange.asmx"
echo "simulator at $base"

deliver() {  # deliver FROM SUBJECT
  curl -sf -X POST -H 'Content-Type: application/json' \
    --data "{\"from\":\"$1\",\"to\":\"demo@example.com\",\"subject\":\"$2\",\"body\":\"demo\"}" \
    "$base/admin/mailboxes/demo@example.com/folders/inbox/messages" >/dev/null
  echo "delivered: \"$2\" from $1"
}
streams_open() { curl -sf "$base/admin/stats" | grep -q '"open_streaming_connections":[1-9]'; }
start_daemon() {
  "$bin" run -c config/demo/ewstrigd.yaml 2>&1 | sed -u 's/^/  [ewstrigd] /' &
  daemon_pid=$!
  wait_for 15 streams_open
}
stop_daemon() {
  pkill -TERM -f "$bin run -c config/demo/ewstrigd.yaml" || true
  wait "$daemon_pid" || true
  daemon_pid=''
}

say "$bin check -c config/demo/ewstrigd.yaml"
"$bin" check -c config/demo/ewstrigd.yaml

say "starting the daemon: ewstrigd run -c config/demo/ewstrigd.yaml"
start_daemon

say "mail arrives: one invoice from the supplier, one newsletter"
deliver billing@supplier.example "Invoice 4711 for October"
deliver news@shop.example "Our autumn sale"
wait_for 15 test -f "$DEMO_DIR/saved/invoice-4711.eml"
sleep 1

say "stopping the daemon (SIGTERM); mail arriving meanwhile is caught up at the next start"
stop_daemon
deliver billing@supplier.example "Invoice 4712 for November"

say "starting the daemon again: only the new invoice fires, nothing fires twice"
start_daemon
wait_for 15 test -f "$DEMO_DIR/saved/invoice-4712.eml"
sleep 1
stop_daemon

say "result"
echo "saved by the save action:"; ls -1 "$DEMO_DIR/saved" | sed 's/^/  /'
for folder in inbox processed; do
  echo "folder $folder in the simulator:"
  curl -sf "$base/admin/mailboxes/demo@example.com/folders/$folder/messages" | sed 's/^/  /'; echo
done
echo "state and output are in $DEMO_DIR"
