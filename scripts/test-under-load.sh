#!/usr/bin/env bash
# Runs a command (default: `pnpm test`) while busy-loop processes occupy every core, to prove the
# tests hold when the machine is busy. The hogs are this script's children and die with it: on
# success, failure, Ctrl+C or kill.
#
#   scripts/test-under-load.sh                                      # pnpm test
#   scripts/test-under-load.sh pnpm vitest run --project server     # any command
#   RELINK_LOAD_HOGS=4 scripts/test-under-load.sh ...                # more hogs (default: one per core)
set -uo pipefail
cd "$(dirname "$0")/.."

hogs=${RELINK_LOAD_HOGS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
[ $# -gt 0 ] || set -- pnpm test

pids=()
cmd=""
stop_hogs() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
# On Ctrl+C or kill: stop the command too, then the hogs.
interrupted() {
  [ -n "$cmd" ] && kill -TERM "$cmd" 2>/dev/null && wait "$cmd" 2>/dev/null
  stop_hogs
  exit "$1"
}
trap stop_hogs EXIT
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

for _ in $(seq "$hogs"); do
  # A pure busy loop; exits on its own if this script vanishes without running its traps (SIGKILL).
  node -e 'const p=process.ppid; let n=0; for(;;){ if(++n%1e8===0){ try{process.kill(p,0)}catch{process.exit(0)} } }' &
  pids+=($!)
done
echo "test-under-load: ${#pids[@]} busy-loop processes (pids ${pids[*]}) running: $*" >&2

started=$(date +%s)
# In the background so that a signal reaches the traps at once rather than when the command ends.
"$@" &
cmd=$!
wait "$cmd"
status=$?
cmd=""
elapsed=$(($(date +%s) - started))
stop_hogs
echo "test-under-load: exit status ${status} after ${elapsed} s under load ($*)" >&2
exit "$status"
