#!/usr/bin/env bash
# Starts (or reuses) Debian's docker-registry on 127.0.0.1:5000 (another port with SLIPWAY_REGISTRY_PORT),
# config and data under /tmp. Prints `export SLIPWAY_DOCKER_REGISTRY_PID=<pid>` on stdout (empty pid when one
# was already answering); everything else goes to stderr. Stop it with: kill "$SLIPWAY_DOCKER_REGISTRY_PID"
set -euo pipefail

PORT="${SLIPWAY_REGISTRY_PORT:-5000}"
BASE="${SLIPWAY_REGISTRY_DIR:-/tmp/slipway-docker-registry-$PORT}"
BIN="$(command -v docker-registry || true)"
[[ -n "$BIN" ]] || { echo "start-registry: docker-registry not found (apt-get install -y docker-registry)" >&2; exit 1; }

answers() { curl -fsS -o /dev/null "http://127.0.0.1:$PORT/v2/" 2>/dev/null; }

if answers; then
  echo "start-registry: a registry already answers on 127.0.0.1:$PORT" >&2
  echo "export SLIPWAY_DOCKER_REGISTRY_PID="
  exit 0
fi

mkdir -p "$BASE/data"
cat >"$BASE/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $BASE/data
  delete:
    enabled: true
  redirect:
    disable: true
http:
  addr: 127.0.0.1:$PORT
  headers:
    X-Content-Type-Options: [nosniff]
YAML

setsid "$BIN" serve "$BASE/config.yml" >"$BASE/registry.log" 2>&1 </dev/null &
PID=$!
for _ in $(seq 1 100); do
  if answers; then
    echo "start-registry: docker-registry $PID answers on 127.0.0.1:$PORT" >&2
    echo "export SLIPWAY_DOCKER_REGISTRY_PID=$PID"
    exit 0
  fi
  kill -0 "$PID" 2>/dev/null || { echo "start-registry: docker-registry exited:" >&2; tail -n 20 "$BASE/registry.log" >&2; exit 1; }
  sleep 0.1
done
echo "start-registry: docker-registry $PID did not answer within 10 s" >&2
kill "$PID" 2>/dev/null || true
exit 1
