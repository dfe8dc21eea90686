#!/usr/bin/env bash
# Makes a root filesystem for a Node.js base image without any registry: the host's `node` binary, the
# libraries `ldd` lists for it (and the dynamic loader), /bin/sh, CA certificates and a minimal /etc/passwd.
# Usage: scripts/node-base-image.sh DIR && slipway image import DIR --tag node-base:20
set -euo pipefail

DIR="${1:?usage: node-base-image.sh DIR}"
NODE="$(readlink -f "${SLIPWAY_NODE_BINARY:-$(command -v node)}")"
[[ -x "$NODE" ]] || { echo "node-base-image: node not found" >&2; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR"/{usr/local/bin,bin,etc,tmp,root,app,proc,sys,dev}
chmod 1777 "$DIR/tmp"
chmod 0700 "$DIR/root"

copy_with_libraries() {
  local binary="$1" destination="$2"
  install -m 0755 "$binary" "$DIR$destination"
  # `ldd` prints "name => /path (addr)" for libraries and "/path (addr)" for the loader.
  ldd "$binary" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' | while read -r library; do
    [[ -n "$library" && -e "$library" ]] || continue
    mkdir -p "$DIR$(dirname "$library")"
    cp -L "$library" "$DIR$library"
  done
}

copy_with_libraries "$NODE" /usr/local/bin/node
copy_with_libraries "$(readlink -f /bin/sh)" /bin/sh

if [[ -d /etc/ssl/certs ]]; then
  mkdir -p "$DIR/etc/ssl/certs"
  [[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp -L /etc/ssl/certs/ca-certificates.crt "$DIR/etc/ssl/certs/"
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$DIR/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$DIR/etc/group"
printf 'hosts: files dns\n' >"$DIR/etc/nsswitch.conf"
: >"$DIR/etc/hosts"
: >"$DIR/etc/resolv.conf"

echo "node-base-image: $(du -sh "$DIR" | cut -f1) in $DIR ($("$NODE" --version))" >&2
