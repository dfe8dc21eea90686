#!/usr/bin/env bash
# Starts (or reuses) a Docker Engine with no bridge network and no iptables, as DESIGN.md says:
# containers use --network host only. Prints `export SLIPWAY_DOCKERD_PID=<pid>` on stdout when it
# started the daemon (empty pid when one was already running); everything else goes to stderr.
# Usage: eval "$(scripts/start-docker.sh)"   — stop it with: kill "$SLIPWAY_DOCKERD_PID"
set -euo pipefail

SOCKET="${SLIPWAY_DOCKER_SOCKET:-/var/run/docker.sock}"
DATA="${SLIPWAY_DOCKER_DATA:-/var/lib/docker}"
LOG="${SLIPWAY_DOCKER_LOG:-/tmp/slipway-dockerd.log}"
export DOCKER_HOST="unix://$SOCKET"

command -v dockerd >/dev/null 2>&1 || { echo "start-docker: dockerd not found (apt-get install -y docker.io)" >&2; exit 1; }
DOCKER_CLI="$(command -v docker || true)"
[[ -x /usr/bin/docker ]] && DOCKER_CLI=/usr/bin/docker

engine_answers() { [[ -S "$SOCKET" ]] && "$DOCKER_CLI" -H "unix://$SOCKET" version >/dev/null 2>&1; }

if engine_answers; then
  echo "start-docker: a Docker Engine already answers on $SOCKET" >&2
  echo "export SLIPWAY_DOCKERD_PID="
  exit 0
fi

mkdir -p "$DATA"
# 127.0.0.0/8 is insecure by default in Docker; say it anyway so a changed default cannot break tests.
setsid dockerd --host "unix://$SOCKET" --data-root "$DATA" --bridge=none --iptables=false --ip-masq=false \
  --ip6tables=false --insecure-registry 127.0.0.0/8 --pidfile /tmp/slipway-dockerd.pid >"$LOG" 2>&1 </dev/null &
PID=$!

for _ in $(seq 1 120); do
  if engine_answers; then
    echo "start-docker: dockerd $PID answers on $SOCKET" >&2
    echo "export SLIPWAY_DOCKERD_PID=$PID"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "start-docker: dockerd exited; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
  sleep 0.5
done
echo "start-docker: dockerd $PID did not answer within 60 s; see $LOG" >&2
kill "$PID" 2>/dev/null || true
exit 1
