# Shared helpers for the project's scripts. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the tests and tools use, as "package:probe-command-or-path".
GATE_APT_PACKAGES=(
  "redis-server:/usr/bin/redis-server"
  "python3-grpcio:py:grpc"
  "python3-grpc-tools:py:grpc_tools"
  "python3-protobuf:py:google.protobuf"
  "python3-cryptography:py:cryptography"
  "protobuf-compiler:/usr/bin/protoc"
  "nghttp2-client:/usr/bin/h2load"
  "chromium:/usr/bin/chromium"
)

log() { printf '%s\n' "gate: $*" >&2; }

# Installs whatever is missing from GATE_APT_PACKAGES (apt-get update only when needed).
ensure_packages() {
  local missing=() entry pkg probe
  for entry in "${GATE_APT_PACKAGES[@]}"; do
    pkg="${entry%%:*}"; probe="${entry#*:}"
    if [[ "$probe" == py:* ]]; then
      /usr/bin/python3 -c "import ${probe#py:}" >/dev/null 2>&1 || missing+=("$pkg")
    else
      [[ -x "$probe" ]] || missing+=("$pkg")
    fi
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { log "the .NET 10 SDK is required (dotnet not on PATH)"; exit 1; }
}

# Stops a gate-load driver started in the background: SIGTERM, so it stops what it started (sidecars,
# redis-server) and removes its temp files; after 40 s, SIGKILL to whatever is left, children first.
# Scripts call their cleanup from `trap cleanup EXIT` alone: bash runs that trap when INT or TERM
# ends the script too, whereas a cleanup trapped on INT/TERM returns and lets the script go on.
stop_driver() {
  local pid="$1" waited=0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 400)); do sleep 0.1; waited=$((waited + 1)); done
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
}
