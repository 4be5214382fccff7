#!/usr/bin/env bash
# zadig-mock's benchmark suite: one command, from a fresh clone.
#
#   bench/run.sh
#
# Builds the release binary and the bench-only helpers (examples/bench_*),
# installs wrk from Debian's packages when it is missing, measures start-up,
# latency, throughput, memory, scaling and log streaming, prints the tables
# and writes them into BENCHMARKS.md (between its `bench:results` markers).
# Every server runs pinned to one core and wrk to the other; every load run
# is bounded in time, and everything stays on loopback. Each figure is the
# median of BENCH_ROUNDS runs, measured next to the ceiling (a minimal axum
# server, examples/bench_ceiling.rs) answering a body of the same size.
#
# Settings (environment variables):
#   BENCH_SECONDS=5      length of each load run
#   BENCH_ROUNDS=3       runs per figure (the median is reported)
#   BENCH_SERVER_CPU=0   core of the servers
#   BENCH_LOAD_CPU=1     core of wrk and the other clients
#   BENCH_WRITE=1        0: print the tables only, leave BENCHMARKS.md alone
#   BENCH_ONLY=          some of: endpoints startup memory scaling streaming
#                        (implies BENCH_WRITE=0)
#   BENCH_BIN=           measure this zadig-mock binary instead of the one built
#                        here, e.g. an older build to compare (implies BENCH_WRITE=0)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
WRITE=${BENCH_WRITE:-1}
ONLY=${BENCH_ONLY:-}
[ -z "$ONLY" ] || WRITE=0
[ -z "${BENCH_BIN:-}" ] || WRITE=0
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
WORK=$TARGET/bench
BIN=${BENCH_BIN:-$TARGET/release/zadig-mock}
EX=$TARGET/release/examples
AUTH='Authorization: Bearer bench-token'
PROJECT=simple-demo

source "$ROOT/bench/lib.sh"

step "tools"
need_tools
step "cargo build --release (zadig-mock and the bench helpers)"
cargo build --release --locked -q --bin zadig-mock \
  --example bench_ceiling --example bench_world --example bench_startup
mkdir -p "$WORK"
rm -f "$WORK"/*.out "$WORK"/*.err

step "worlds"
make_world large 1000 10 10
make_world large-json 1000 10 10 json
for n in 10 1000 10000; do make_world "scale$n" 1 "$n" 2; done

step "ceiling"
start ceiling "$EX/bench_ceiling" 127.0.0.1:0
CEILING=$ADDR

# --- Latency at 1 connection, throughput at 64 --------------------------------
if wanted endpoints; then
  step "endpoints (${ROUNDS} rounds of ${DURATION}s runs)"
  endpoint list "environment list" "/openapi/environments?projectKey=$PROJECT"
  endpoint detail "environment detail" "/openapi/environments/dev?projectKey=$PROJECT"
  endpoint service "service detail" "/openapi/environments/dev/services/service1?projectKey=$PROJECT"
  endpoint variables "global variables" "/openapi/environments/dev/variable?projectKey=$PROJECT"
  endpoint mix "create-then-delete mix" "" "$ROOT/bench/wrk/create_delete.lua"
fi

# --- Start-up -----------------------------------------------------------------
if wanted startup; then
  step "start-up"
  startup demo 20 "$BIN" --listen 127.0.0.1:0
  startup large-json 5 "$BIN" --listen 127.0.0.1:0 --seed "$WORK/worlds/large-json"
  startup large 5 "$BIN" --listen 127.0.0.1:0 --seed "$WORK/worlds/large"
  startup ceiling 20 "$EX/bench_ceiling" 127.0.0.1:0
fi

# --- Memory -------------------------------------------------------------------
if wanted memory; then step "memory"; memory; fi

# --- Scaling ------------------------------------------------------------------
if wanted scaling; then
  step "scaling"
  for n in 10 1000 10000; do scaling "$n"; done
fi

# --- Log streaming ------------------------------------------------------------
if wanted streaming; then step "log streaming"; streaming; fi

stop_all
step "results"
render > "$WORK/results.md"
cat "$WORK/results.md"
if [ "$WRITE" = 1 ]; then
  splice "$WORK/results.md" BENCHMARKS.md
  echo "== wrote the tables into BENCHMARKS.md"
fi
