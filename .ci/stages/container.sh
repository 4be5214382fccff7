#!/usr/bin/env bash
# Container smoke test: builds the image from the Dockerfile with Podman and
# checks what a CI service container relies on. No container registry is
# needed: Podman, runc and debootstrap come from Debian's packages, and the
# debian:bookworm-slim base is made locally with debootstrap when missing.
#
#   CONTAINER_MODE=prebuilt   (default) cargo builds the release binary here;
#                             the Dockerfile's "prebuilt" target copies it in
#   CONTAINER_MODE=multistage the Dockerfile's default "runtime" target, its
#                             builder stage FROM a rust image made locally from
#                             this machine's toolchain (slower, ~1 GB of disk)
#
# Everything runs with --network=host on loopback, on a free port.
set -euo pipefail
cd "$(dirname "$0")/../.."

MODE=${CONTAINER_MODE:-prebuilt}
RUST_TAG=1.95-bookworm # the Dockerfile's builder: FROM rust:<RUST_TAG>
IMG=localhost/zadig-mock:ci-$$ # one tag per run: runs may overlap on one machine
NAME=zadig-mock-ci-$$
VOLUME=zadig-mock-ci-$$
TOKEN=ci-token-$$
MAX_IMAGE_MB=100
t0=$(date +%s%N)
since() { echo $((($(date +%s%N) - $1) / 1000000)); } # milliseconds since $1
step() { echo "== [$(($(since "$t0") / 1000))s] $*"; }
timings=()
timed() { # timed LABEL CMD...: runs CMD, records how long it took
  local label=$1 start
  shift
  start=$(date +%s%N)
  "$@"
  timings+=("$(printf '%-34s %6d ms' "$label" "$(since "$start")")")
}

work=$(mktemp -d)
cleanup() {
  podman rm -f -i -t 0 "$NAME" "$NAME-defaults" "$NAME-2" >/dev/null 2>&1 || true
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  podman rmi -i "$IMG" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. tools and engine settings --------------------------------------------
# One set-up at a time per machine (apt/dpkg and the shared base image).
exec 9>/tmp/zadig-mock-container-setup.lock
flock 9

install_tools() {
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -qq)
  "${apt[@]}" update
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y podman runc debootstrap curl >/dev/null
}
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null ||
  ! command -v curl >/dev/null; then
  step "apt-get install podman runc debootstrap curl"
  timed "install podman, runc, debootstrap" install_tools
fi

# This host: crun refuses hybrid cgroups (use runc); podman's default rlimits
# exceed the hard limits root may set; HEALTHCHECK needs the docker format.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF=$work/containers.conf BUILDAH_FORMAT=docker

# --- 2. base images, made locally ----------------------------------------------
make_debian_base() {
  local mirror rootfs=$work/rootfs
  # shellcheck disable=SC2016 # $(REPO_URI) is apt's own placeholder
  mirror_of() { apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 'Release: bookworm' | head -1; }
  mirror=$(mirror_of)
  # indextargets is empty until apt-get update has run once.
  [ -n "$mirror" ] || {
    apt-get -o DPkg::Lock::Timeout=300 -qq update
    mirror=$(mirror_of)
  }
  # Without a configured mirror, debootstrap's own default.
  debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["bash"]' - localhost/debian:bookworm-slim >/dev/null
  rm -rf "$rootfs"
}
if ! podman image exists localhost/debian:bookworm-slim; then
  step "debootstrap debian:bookworm-slim"
  timed "debootstrap base image" make_debian_base
fi
podman tag localhost/debian:bookworm-slim docker.io/library/debian:bookworm-slim

make_rust_image() {
  podman build --network=host -q -t "localhost/rust:$RUST_TAG" \
    -v "$(rustc --print sysroot):/host-toolchain:ro" -v "$(command -v rustup):/host-rustup:ro" \
    -f .ci/rust-local.Dockerfile .ci >/dev/null
}
if [ "$MODE" = multistage ] && ! podman image exists "localhost/rust:$RUST_TAG"; then
  step "rust:$RUST_TAG from this machine's toolchain"
  timed "local rust image" make_rust_image
fi
[ "$MODE" = multistage ] && podman tag "localhost/rust:$RUST_TAG" "docker.io/library/rust:$RUST_TAG"
flock -u 9

# --- 3. the image -----------------------------------------------------------------
build=(podman build --network=host -t "$IMG" -f "$PWD/Dockerfile")
if [ "$MODE" = multistage ]; then
  # Crate downloads go through a TLS-intercepting proxy here: lend the host's
  # CA bundle to the build, never bake it into the image.
  build+=(--target runtime -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro .)
else
  step "cargo build --release"
  timed "cargo build --release" cargo build --release --locked -q
  # A context of just the binary, wherever CARGO_TARGET_DIR puts it.
  mkdir -p "$work/context/target/release"
  cp "${CARGO_TARGET_DIR:-target}/release/zadig-mock" "$work/context/target/release/"
  build+=(--target prebuilt "$work/context")
fi
step "podman build ($MODE)"
timed "podman build ($MODE)" "${build[@]}" >/dev/null

# --- 4. smoke checks -----------------------------------------------------------------
pass=0
fail=0
check() { # check DESCRIPTION CMD...
  local what=$1
  shift
  if "$@" >"$work/check.log" 2>&1; then
    pass=$((pass + 1))
    echo "ok: $what"
  else
    fail=$((fail + 1))
    echo "FAIL: $what"
    sed 's/^/    /' "$work/check.log" | tail -20
  fi
}
# A free port below the kernel's ephemeral range, so that no outgoing connection
# or port-0 listener elsewhere on the machine takes it between two containers.
free_port() {
  local port low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range || true
  [ "$low" -gt 11000 ] || low=32768
  for _ in $(seq 50); do
    port=$((low - 1 - RANDOM % (low - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
      echo "$port"
      return
    }
  done
  return 1
}
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT

# The periodic healthcheck needs systemd (absent here); podman logs a harmless
# error about it at run/start/stop, filtered out below.
quiet() { "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
# Ready when the server printed its listening line (what testcontainers waits for).
wait_listening() { # wait_listening CONTAINER [COUNT]
  local want=${2:-1}
  for _ in $(seq 100); do
    [ "$(podman logs "$1" 2>/dev/null | grep -c 'zadig-mock listening on http://')" -ge "$want" ] && return 0
    [ "$(podman inspect "$1" --format '{{.State.Running}}')" = true ] || break
    sleep 0.1
  done
  podman logs "$1" 2>&1 | tail -20
  return 1
}
image_defaults() {
  local env ports health user
  env=$(podman image inspect "$IMG" --format '{{range .Config.Env}}{{.}} {{end}}')
  ports=$(podman image inspect "$IMG" --format '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}')
  health=$(podman image inspect "$IMG" --format '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}')
  user=$(podman image inspect "$IMG" --format '{{.Config.User}}')
  echo "env: $env" && echo "ports: $ports" && echo "healthcheck: $health" && echo "user: $user"
  [[ " $env" == *" ZADIG_MOCK_LISTEN=0.0.0.0:8080 "* ]] && [[ "$ports" == *8080/tcp* ]] &&
    [[ "$health" == *"zadig-mock --healthcheck"* ]] && [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] && [ "${user%%:*}" != 0 ]
}
image_size_mb() { echo $(($(podman image inspect "$IMG" --format '{{.Size}}') / 1000000)); }
small_image() {
  echo "$(image_size_mb) MB"
  [ "$(image_size_mb)" -lt "$MAX_IMAGE_MB" ]
}
http_is() { # http_is STATUS BODY_PATTERN CURL_ARGS...: status and body match
  local want=$1 pattern=$2 got
  shift 2
  got=$(curl -sS -m 5 -o "$work/body" -w '%{http_code}' "$@") || return 1
  echo "HTTP $got: $(head -c 300 "$work/body")"
  [ "$got" = "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$work/body"; }
}
runs_as_non_root() { # the server process's real and effective uid, as the host sees them
  local pid uids
  pid=$(podman inspect "$1" --format '{{.State.Pid}}')
  uids=$(awk '/^Uid:/ {print $2, $3}' "/proc/$pid/status")
  echo "pid $pid uid (real effective): $uids"
  [ -n "$uids" ] && [ "${uids%% *}" != 0 ] && [ "${uids##* }" != 0 ]
}
follow_a_log() { # a client following a container's log (SSE), left open over the stop
  local pod
  pod=$(curl -sS -m 5 "${auth[@]}" "$BASE/openapi/environments/dev/services/service1?projectKey=simple-demo" |
    grep -o 'service1-[a-z0-9]*-[a-z0-9]*' | head -1)
  echo "pod: $pod"
  [ -n "$pod" ] || return 1
  curl -sSN -m 30 "${auth[@]}" -o "$work/stream" \
    "$BASE/openapi/logs/sse/pods/$pod/containers/service1?projectKey=simple-demo&envName=dev&tails=1" &
  stream=$!
  for _ in $(seq 50); do
    grep -q '^data:' "$work/stream" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
plain_logs() {
  podman logs "$1" 2>&1 | tail -3
  ! podman logs "$1" 2>&1 | grep -q $'\e\['
}
stops_cleanly() { # stops_cleanly CONTAINER: SIGTERM ends it within 5s, exit code 0
  local start ms code
  start=$(date +%s%N)
  quiet podman stop -t 10 "$1" >/dev/null
  ms=$(since "$start")
  code=$(podman inspect "$1" --format '{{.State.ExitCode}}')
  echo "stopped in ${ms} ms, exit code $code"
  podman logs "$1" 2>&1 | tail -3
  [ "$ms" -lt 5000 ] && [ "$code" = 0 ]
}

step "smoke checks (port $PORT, $MODE image)"
check "image defaults: ZADIG_MOCK_LISTEN=0.0.0.0:8080, EXPOSE 8080, HEALTHCHECK, numeric non-root USER" image_defaults
check "image is smaller than $MAX_IMAGE_MB MB" small_image

# With the image's defaults (0.0.0.0:8080) in a network namespace of its own,
# reached only from inside: the listening line and HEALTHCHECK.
defaults_work() {
  quiet podman run -d --network=none --name "$NAME-defaults" "$IMG" >/dev/null && wait_listening "$NAME-defaults" &&
    podman logs "$NAME-defaults" | grep -F 'listening on http://0.0.0.0:8080' && podman healthcheck run "$NAME-defaults"
}
check "with the image defaults it listens on 0.0.0.0:8080 and is healthy" defaults_work
quiet podman rm -f -i -t 0 "$NAME-defaults" >/dev/null 2>&1

# On the host network the checks bind loopback and a free port instead;
# HEALTHCHECK follows the variable. The state file lives on a named volume.
podman volume create "$VOLUME" >/dev/null
run=(podman run -d --network=host -e "ZADIG_MOCK_LISTEN=127.0.0.1:$PORT" -e "ZADIG_MOCK_TOKENS=$TOKEN"
  -v "$VOLUME:/data" -e ZADIG_MOCK_STATE_FILE=/data/state.json)
start=$(date +%s%N)
quiet "${run[@]}" --name "$NAME" "$IMG" >/dev/null
check "prints its listening line" wait_listening "$NAME"
timings+=("$(printf '%-34s %6d ms' "run until listening" "$(since "$start")")")
auth=(-H "Authorization: Bearer $TOKEN")
check "answers GET /healthz" http_is 200 '"status":"ok"' "$BASE/healthz"
check "serves the demo world to the configured token" \
  http_is 200 '"env_key":"dev"' "${auth[@]}" "$BASE/openapi/environments?projectKey=simple-demo"
check "refuses a token not in ZADIG_MOCK_TOKENS" \
  http_is 401 '' -H 'Authorization: Bearer wrong' "$BASE/openapi/environments?projectKey=simple-demo"
check "HEALTHCHECK passes (podman healthcheck run)" podman healthcheck run "$NAME"
check "runs as a non-root user" runs_as_non_root "$NAME"
check "creates an environment through the API" http_is 200 '"message":"success"' "${auth[@]}" -X POST \
  "$BASE/openapi/environments?projectKey=simple-demo" -d '{"env_key":"smoke","cluster_id":"0123456789abcdef12345678",
  "namespace":"simple-demo-env-smoke","registry_id":"630c7ad700430c131062e245","services":[{"service_name":"service2"}]}'
stream=
check "follows a container log (SSE)" follow_a_log
start=$(date +%s%N)
check "podman stop, a log stream open: SIGTERM ends it within 5s with exit code 0" stops_cleanly "$NAME"
timings+=("$(printf '%-34s %6d ms' "podman stop" "$(since "$start")")")
[ -z "$stream" ] || wait "$stream" || true
check "logs are plain text (no terminal colours)" plain_logs "$NAME"

# --state-file on the volume: the same container started again, then a new
# container on the same volume, both serve the environment created above.
has_smoke_env() {
  http_is 200 '"env_key":"smoke"' "${auth[@]}" "$BASE/openapi/environments/smoke?projectKey=simple-demo"
}
restarted() {
  quiet podman start "$NAME" >/dev/null && wait_listening "$NAME" 2 && has_smoke_env && stops_cleanly "$NAME"
}
check "--state-file on a volume: the environment survives a container restart" restarted
quiet podman rm -f -i -t 0 "$NAME" >/dev/null 2>&1
recreated() {
  quiet "${run[@]}" --name "$NAME-2" "$IMG" >/dev/null && wait_listening "$NAME-2" && has_smoke_env &&
    stops_cleanly "$NAME-2"
}
check "--state-file on a volume: a new container on the volume serves it too" recreated

# --- 5. summary --------------------------------------------------------------------------
podman image inspect "$IMG" --format '{{.Size}}' | awk -v img="$IMG" '{printf "image %s: %.1f MB\n", img, $1 / 1e6}'
printf '%s\n' "timings:" "${timings[@]/#/  }"
step "done"
echo "container: $pass passed, $fail failed"
[ "$fail" = 0 ]
