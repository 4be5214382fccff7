# Functions of bench/run.sh (sourced; reads the settings run.sh defines).
# Figures go into the associative array R; render() turns them into tables.

declare -A R=()
PIDS=()
ENDPOINTS=()

step() { echo "== [$(date +%H:%M:%S)] $*"; }
# wanted SECTION: whether BENCH_ONLY (empty: everything) names it.
wanted() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
die() { echo "bench: $*" >&2; exit 1; }
trap stop_all EXIT

# wrk, curl and jq from Debian's packages when missing.
need_tools() {
  local missing=()
  for tool in wrk curl jq taskset; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    local packages=("${missing[@]/taskset/util-linux}")
    echo "installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  # A thousand log followers need a thousand sockets on each side.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 2200 ] || die "need 2200 open files, have $(ulimit -n)"
  R[machine]="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB"
  R[kernel]=$(uname -sr)
  R[rustc]=$(rustc --version)
  R[wrk]=$( (wrk --version 2>&1 || true) | awk 'NR == 1 {print $1, $2}')
  R[commit]=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  R[load_before]=$(cut -d' ' -f1-3 /proc/loadavg)
}

# make_world NAME PROJECTS ENVS SERVICES: a generated seed folder, made once.
make_world() {
  local dir=$WORK/worlds/$1 format=${5:-yaml}
  if [ ! -e "$dir/.done-$2-$3-$4-$format" ]; then
    rm -rf "$dir"
    "$EX/bench_world" "$dir" "$2" "$3" "$4" "$format"
    touch "$dir/.done-$2-$3-$4-$format"
  fi
  echo "  $1: $2 projects x $3 environments x $4 services as $format ($(du -sh "$dir" | cut -f1))"
}

# start NAME PROGRAM [ARGS...]: runs a server pinned to the server core and
# waits for its `listening on http://ADDR` line; sets ADDR and PID.
start() {
  local name=$1 out=$WORK/$1.out
  shift
  taskset -c "$SERVER_CPU" "$@" >"$out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  local i
  for i in $(seq 6000); do
    ADDR=$(sed -n 's/.*listening on http:\/\///p' "$out" | head -1)
    [ -n "$ADDR" ] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name exited before listening"; }
    sleep 0.01
  done
  die "$name: not listening after 60 s"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  PIDS=()
}

# rss PID: resident set size in KiB, from /proc.
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# load CONNECTIONS URL [SCRIPT [ARG]]: one bounded wrk run from the load
# core; prints "rps p50_us p99_us errors requests".
load() {
  local conns=$1 url=$2 script=${3:-} arg=${4:-}
  [ -n "$script" ] || script=$ROOT/bench/wrk/report.lua
  local args=(-t1 -c"$conns" -d"${DURATION}s" --timeout 5s -H "$AUTH" -s "$script" "$url")
  [ -z "$arg" ] || args+=(-- "$arg")
  taskset -c "$LOAD_CPU" wrk "${args[@]}" | awk '/^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["rps"], v["p50_us"], v["p99_us"], v["errors"], v["requests"] }'
}

# median COLUMN FILE and sum COLUMN FILE over the rounds of a figure.
median() { awk -v c="$1" '{print $c}' "$2" | sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "nan"}'; }
sum() { awk -v c="$1" '{s += $c} END {print s + 0}' "$2"; }

# figures KEY FILE: the medians of a set of rounds into R[KEY.*].
figures() {
  R[$1.rps]=$(median 1 "$2")
  R[$1.p50]=$(median 2 "$2")
  R[$1.p99]=$(median 3 "$2")
  R[$1.errors]=$(sum 4 "$2")
}

# probe URL: "STATUS BYTES" of one GET.
probe() { curl -s -o /dev/null -m 10 -w '%{http_code} %{size_download}\n' -H "$AUTH" "$1" || true; }

# endpoint KEY LABEL PATH [SCRIPT]: latency at 1 connection and throughput at
# 64 against a fresh zadig-mock with the demo world, each run followed by the
# same run against the ceiling with a body of the same size.
endpoint() {
  local key=$1 label=$2 path=$3 script=${4:-} status size
  ENDPOINTS+=("$key")
  R[$key.label]=$label
  start "$key" "$BIN" --listen 127.0.0.1:0
  local mock=$ADDR pid=$PID
  if [ -z "$script" ]; then
    read -r status size < <(probe "http://$mock$path")
    R[$key.path]="GET $path"
  else
    # The mix answers {"message":"success"} to every request.
    status=200 size=21
    R[$key.path]="POST and DELETE /openapi/environments…"
  fi
  if [ "$status" != 200 ]; then
    R[$key.status]="HTTP $status"
    echo "  $label: HTTP $status, not measured"
    stop "$pid"
    return
  fi
  R[$key.bytes]=$size
  local f=$WORK/$key
  : >"$f.m1"; : >"$f.c1"; : >"$f.m64"; : >"$f.c64"
  local round
  for round in $(seq "$ROUNDS"); do
    load 1 "http://$mock$path" "$script" "r${round}a" >>"$f.m1"
    load 1 "http://$CEILING/$size" >>"$f.c1"
    load 64 "http://$mock$path" "$script" "r${round}b" >>"$f.m64"
    load 64 "http://$CEILING/$size" >>"$f.c64"
  done
  stop "$pid"
  figures "$key.m1" "$f.m1"
  figures "$key.c1" "$f.c1"
  figures "$key.m64" "$f.m64"
  figures "$key.c64" "$f.c64"
  echo "  $label ($size B): p50 ${R[$key.m1.p50]} us (ceiling ${R[$key.c1.p50]}), p99 ${R[$key.m1.p99]} us (ceiling ${R[$key.c1.p99]}), ${R[$key.m64.rps]} req/s (ceiling ${R[$key.c64.rps]}), errors ${R[$key.m1.errors]}/${R[$key.m64.errors]}"
}

# startup KEY RUNS PROGRAM [ARGS...]: exec to first 200 on /healthz, in ms.
startup() {
  local key=$1 runs=$2
  shift 2
  read -r R[start.$key] R[start.$key.min] R[start.$key.max] < <(taskset -c "$SERVER_CPU" "$EX/bench_startup" "$runs" "$@")
  echo "  $key: median ${R[start.$key]} ms (min ${R[start.$key.min]}, max ${R[start.$key.max]}, $runs runs)"
}

# memory: RSS idle with the demo world (after one request to each endpoint),
# with the large world, and of the ceiling.
memory() {
  start mem-demo "$BIN" --listen 127.0.0.1:0
  local path
  for path in "/openapi/environments?projectKey=$PROJECT" "/openapi/environments/dev?projectKey=$PROJECT" \
    "/openapi/environments/dev/services/service1?projectKey=$PROJECT" "/openapi/environments/dev/variable?projectKey=$PROJECT"; do
    probe "http://$ADDR$path" >/dev/null
  done
  sleep 0.5
  R[rss.demo]=$(rss "$PID")
  stop "$PID"
  start mem-ceiling "$EX/bench_ceiling" 127.0.0.1:0
  probe "http://$ADDR/1024" >/dev/null
  sleep 0.5
  R[rss.ceiling]=$(rss "$PID")
  stop "$PID"
  local world
  for world in large large-json; do
    start "mem-$world" "$BIN" --listen 127.0.0.1:0 --seed "$WORK/worlds/$world"
    probe "http://$ADDR/openapi/environments?projectKey=p00001" >/dev/null
    sleep 0.5
    R[rss.$world]=$(rss "$PID")
    stop "$PID"
  done
  echo "  RSS: demo ${R[rss.demo]} KiB, large world ${R[rss.large]} KiB (YAML) ${R[rss.large-json]} KiB (JSON), ceiling ${R[rss.ceiling]} KiB"
}

# scaling N: detail and list at 1 connection in a project of N environments
# (two services each); the list next to the ceiling with its body size.
scaling() {
  local n=$1 key=scale$1
  start "$key" "$BIN" --listen 127.0.0.1:0 --seed "$WORK/worlds/$key"
  local mock=$ADDR pid=$PID env status size
  env=env$(printf %05d "$n")
  local detail="http://$mock/openapi/environments/$env?projectKey=p00001"
  local list="http://$mock/openapi/environments?projectKey=p00001"
  read -r status size < <(probe "$list")
  [ "$status" = 200 ] || die "$key: list answered $status"
  R[$key.list_bytes]=$size
  read -r status size < <(probe "$detail")
  [ "$status" = 200 ] || die "$key: detail answered $status"
  R[$key.detail_bytes]=$size
  local f=$WORK/$key
  : >"$f.detail"; : >"$f.list"; : >"$f.ceiling"
  local round
  for round in $(seq "$ROUNDS"); do
    load 1 "$detail" >>"$f.detail"
    load 1 "$list" >>"$f.list"
    load 1 "http://$CEILING/${R[$key.list_bytes]}" >>"$f.ceiling"
  done
  stop "$pid"
  figures "$key.detail" "$f.detail"
  figures "$key.list" "$f.list"
  figures "$key.ceiling" "$f.ceiling"
  echo "  $n environments: detail p50 ${R[$key.detail.p50]} us, list p50 ${R[$key.list.p50]} us (${R[$key.list_bytes]} B; ceiling ${R[$key.ceiling.p50]} us)"
}

# streaming: container log followers over SSE. 100 followers of one
# container writing 1,000 lines a second: the lines delivered per second,
# and the latency of environment detail at 1 connection without and with
# them. Then 1,000 followers (held open by wrk) and the RSS they add.
streaming() {
  start sse "$BIN" --listen 127.0.0.1:0 --log-rate 1000
  local mock=$ADDR pid=$PID pod
  pod=$(curl -s -m 10 -H "$AUTH" "http://$mock/openapi/environments/dev/services/service1?projectKey=$PROJECT" |
    jq -r '.scales[0].pods[0].name // empty')
  if [ -z "$pod" ]; then
    R[sse.status]="not measured: no pod of service1 in dev"
    echo "  ${R[sse.status]}"
    stop "$pid"
    return
  fi
  local url="http://$mock/openapi/logs/sse/pods/$pod/containers/service1?projectKey=$PROJECT&envName=dev&tails=1"
  local detail="http://$mock/openapi/environments/dev?projectKey=$PROJECT"
  local f=$WORK/sse round i
  rm -rf "$f.followers"
  mkdir -p "$f.followers"
  : >"$f.quiet"; : >"$f.busy"
  for round in $(seq "$ROUNDS"); do load 1 "$detail" >>"$f.quiet"; done
  local seconds=$((DURATION * ROUNDS + 3))
  for i in $(seq 100); do
    taskset -c "$LOAD_CPU" curl -sN -m "$seconds" -H "$AUTH" "$url" >"$f.followers/$i" 2>/dev/null &
  done
  sleep 1
  local t0 lines0 t1 lines1
  t0=$(date +%s.%N)
  lines0=$(cat "$f.followers"/* | grep -c '^data:' || true)
  for round in $(seq "$ROUNDS"); do load 1 "$detail" >>"$f.busy"; done
  t1=$(date +%s.%N)
  lines1=$(cat "$f.followers"/* | grep -c '^data:' || true)
  wait_followers
  R[sse.lines]=$(awk -v a="$lines0" -v b="$lines1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", (b - a) / (t1 - t0) }')
  figures sse.quiet "$f.quiet"
  figures sse.busy "$f.busy"
  stop "$pid"
  echo "  100 followers: ${R[sse.lines]} lines/s; detail p50 ${R[sse.quiet.p50]} -> ${R[sse.busy.p50]} us, p99 ${R[sse.quiet.p99]} -> ${R[sse.busy.p99]} us"

  start sse-memory "$BIN" --listen 127.0.0.1:0
  mock=$ADDR pid=$PID
  pod=$(curl -s -m 10 -H "$AUTH" "http://$mock/openapi/environments/dev/services/service1?projectKey=$PROJECT" |
    jq -r '.scales[0].pods[0].name // empty')
  url="http://$mock/openapi/logs/sse/pods/$pod/containers/service1?projectKey=$PROJECT&envName=dev&tails=10"
  probe "http://$mock/openapi/environments/dev?projectKey=$PROJECT" >/dev/null
  sleep 0.5
  local before after
  before=$(rss "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c1000 -d"$((DURATION + 4))s" --timeout 60s -H "$AUTH" "$url" >"$f.wrk" 2>&1 &
  local holder=$!
  sleep "$((DURATION / 2 + 2))"
  R[sse.streams]=$( (ss -Htn state established "( sport = :${mock##*:} )" 2>/dev/null || true) | wc -l)
  after=$(rss "$pid")
  wait "$holder" || true
  stop "$pid"
  R[sse.added]=$((after - before))
  echo "  1,000 followers: RSS $before -> $after KiB (${R[sse.streams]} streams open)"
}

# Waits for the curl followers started by streaming (they end by -m).
wait_followers() {
  local job
  for job in $(jobs -p); do
    case " ${PIDS[*]} " in *" $job "*) ;; *) wait "$job" 2>/dev/null || true ;; esac
  done
}

# --- Tables -------------------------------------------------------------------

ms() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else printf "%.3f", v / 1000 }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.0f%%", 100 * a / b }'; }
thousands() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else printf "%.1fk", v / 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else printf "%.1f", v / 1024 }'; }
# verdict VALUE OP LIMIT: "yes" when VALUE OP LIMIT holds (OP: le or ge).
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "") { print "–"; exit }
    ok = (op == "le") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
    print ok ? "yes" : "**no**" }'
}

render() {
  # Figures of sections left out (BENCH_ONLY) are simply empty.
  local -
  set +u
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`${R[commit]}\`: ${R[machine]}; ${R[kernel]};"
  echo "${R[rustc]}; ${R[wrk]}. Server pinned to core $SERVER_CPU, wrk to core $LOAD_CPU; ${DURATION} s per load run,"
  echo "median of $ROUNDS rounds. Load average before/after: ${R[load_before]} / $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "### Latency (1 connection) and throughput (64 connections)"
  echo
  echo "Each figure next to the ceiling's (a minimal axum handler answering a static body of"
  echo "the same size, same run); \`×\` is zadig-mock over the ceiling, \`%\` its share of the ceiling."
  echo
  echo "| endpoint | body | p50 ms | ceiling | × | p99 ms | ceiling | × | req/s @64 | ceiling | % | budget met |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  local key
  for key in "${ENDPOINTS[@]}"; do
    if [ -n "${R[$key.status]:-}" ]; then
      echo "| ${R[$key.label]} | ${R[$key.status]} | | | | | | | | | | |"
      continue
    fi
    local met
    if [ "$key" = mix ]; then
      met="$(verdict "${R[$key.m64.rps]}" ge 10000) (≥ 10,000 ops/s)"
    else
      local a b c
      a=$(verdict "${R[$key.m1.p50]}" le 60)
      b=$(verdict "${R[$key.m1.p99]}" le 500)
      c=$(awk -v a="${R[$key.m64.rps]}" -v b="${R[$key.c64.rps]}" 'BEGIN { print (a >= b / 2) ? "yes" : "**no**" }')
      met="$a / $b / $c"
    fi
    local errors=$((${R[$key.m1.errors]} + ${R[$key.m64.errors]}))
    [ "$errors" = 0 ] || met="$met; **$errors errors**"
    echo "| ${R[$key.label]} | ${R[$key.bytes]} B | $(ms "${R[$key.m1.p50]}") | $(ms "${R[$key.c1.p50]}") | $(times "${R[$key.m1.p50]}" "${R[$key.c1.p50]}") | $(ms "${R[$key.m1.p99]}") | $(ms "${R[$key.c1.p99]}") | $(times "${R[$key.m1.p99]}" "${R[$key.c1.p99]}") | $(thousands "${R[$key.m64.rps]}") | $(thousands "${R[$key.c64.rps]}") | $(percent "${R[$key.m64.rps]}" "${R[$key.c64.rps]}") | $met |"
  done
  echo
  echo "Budget: p50 ≤ 0.06 ms / p99 ≤ 0.5 ms / throughput ≥ 50% of the ceiling; the mix ≥ 10,000"
  echo "operations/s at 64 connections (an operation is one create or one delete request)."
  echo
  echo "### Start-up (exec to the first 200 on /healthz) and memory"
  echo
  echo "| measurement | zadig-mock | ceiling | × | budget | met |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| start-up, demo seed (median of 20) | ${R[start.demo]} ms | ${R[start.ceiling]} ms | $(times "${R[start.demo]}" "${R[start.ceiling]}") | ≤ 20 ms | $(verdict "${R[start.demo]}" le 20) |"
  echo "| start-up, 1,000 projects × 10 envs × 10 services, JSON seed (median of 5) | ${R[start.large-json]} ms | ${R[start.ceiling]} ms | $(times "${R[start.large-json]}" "${R[start.ceiling]}") | ≤ 500 ms | $(verdict "${R[start.large-json]}" le 500) |"
  echo "| start-up, the same world as a YAML seed (median of 5) | ${R[start.large]} ms | ${R[start.ceiling]} ms | $(times "${R[start.large]}" "${R[start.ceiling]}") | ≤ 500 ms | $(verdict "${R[start.large]}" le 500) |"
  echo "| RSS idle, demo seed | $(mib "${R[rss.demo]}") MiB | $(mib "${R[rss.ceiling]}") MiB | $(times "${R[rss.demo]}" "${R[rss.ceiling]}") | ≤ 15 MiB | $(verdict "${R[rss.demo]}" le $((15 * 1024))) |"
  echo "| RSS, 1,000 × 10 × 10 world (100,000 services), JSON seed | $(mib "${R[rss.large-json]}") MiB | | | ≤ 300 MiB | $(verdict "${R[rss.large-json]}" le $((300 * 1024))) |"
  echo "| RSS, the same world from a YAML seed | $(mib "${R[rss.large]}") MiB | | | ≤ 300 MiB | $(verdict "${R[rss.large]}" le $((300 * 1024))) |"
  if [ -n "${R[sse.added]:-}" ]; then
    echo "| RSS added by 1,000 log followers of one container | $(mib "${R[sse.added]}") MiB | | | ≤ 50 MiB | $(verdict "${R[sse.added]}" le $((50 * 1024))) |"
  else
    echo "| RSS added by 1,000 log followers of one container | ${R[sse.status]:-–} | | | ≤ 50 MiB | – |"
  fi
  echo
  echo "### Scaling: one project of N environments (two services each), 1 connection"
  echo
  echo "| environments | detail p50 ms | detail p99 ms | list body | list p50 ms | list p99 ms | list µs per env | ceiling p50, same body | × |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  local n
  for n in 10 1000 10000; do
    key=scale$n
    echo "| $n | $(ms "${R[$key.detail.p50]}") | $(ms "${R[$key.detail.p99]}") | ${R[$key.list_bytes]} B | $(ms "${R[$key.list.p50]}") | $(ms "${R[$key.list.p99]}") | $(awk -v v="${R[$key.list.p50]}" -v n="$n" 'BEGIN { printf "%.2f", v / n }') | $(ms "${R[$key.ceiling.p50]}") | $(times "${R[$key.list.p50]}" "${R[$key.ceiling.p50]}") |"
  done
  echo
  echo "Budget: detail flat across sizes; list no worse than linear in what it returns"
  echo "(µs per environment not growing)."
  echo
  echo "### Log streaming (SSE)"
  echo
  if [ -n "${R[sse.status]:-}" ]; then
    echo "${R[sse.status]}."
    return
  fi
  echo "100 followers of one container writing 1,000 lines a second (\`--log-rate 1000\`, 100,000"
  echo "lines a second to deliver), environment detail measured at 1 connection alongside:"
  echo
  echo "| measurement | without followers | with 100 followers | added |"
  echo "|---|---:|---:|---:|"
  echo "| lines delivered per second | | ${R[sse.lines]} | |"
  echo "| detail p50 ms | $(ms "${R[sse.quiet.p50]}") | $(ms "${R[sse.busy.p50]}") | $(awk -v a="${R[sse.quiet.p50]}" -v b="${R[sse.busy.p50]}" 'BEGIN { printf "%+.3f", (b - a) / 1000 }') |"
  echo "| detail p99 ms | $(ms "${R[sse.quiet.p99]}") | $(ms "${R[sse.busy.p99]}") | $(awk -v a="${R[sse.quiet.p99]}" -v b="${R[sse.busy.p99]}" 'BEGIN { printf "%+.3f", (b - a) / 1000 }') |"
  echo
  echo "1,000 followers of one container (default \`--log-rate 1\`, held open by wrk; ${R[sse.streams]} streams"
  echo "open when measured) added $(mib "${R[sse.added]}") MiB of RSS (budget ≤ 50 MiB: $(verdict "${R[sse.added]}" le $((50 * 1024))))."
}

# splice TABLES FILE: replaces what lies between the bench:results markers.
splice() {
  local tables=$1 file=$2
  grep -q '<!-- bench:results:begin -->' "$file" || die "$file has no bench:results markers"
  awk -v tables="$tables" '
    /<!-- bench:results:begin -->/ { print; while ((getline line < tables) > 0) print line; skip = 1; next }
    /<!-- bench:results:end -->/ { skip = 0 }
    !skip { print }' "$file" >"$file.tmp"
  mv "$file.tmp" "$file"
}
