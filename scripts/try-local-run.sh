#!/usr/bin/env bash
# Runs the example project's workflows with `slipway run`, as a new user would: the example is copied
# into a fresh git repository in a temp dir, committed, and its CI and deploy workflows are run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
slipway() { node "$root/bin/slipway.js" "$@"; }
work="$(mktemp -d /tmp/slipway-try.XXXXXX)"
cp -r "$root/examples/hello-ci/." "$work/"
cd "$work"
git init -q -b main
git add -A
git -c user.name=demo -c user.email=demo@localhost commit -qm "feat: hello-ci example"
echo "== slipway run   (push to main, in $work)"
slipway run
echo
echo "== slipway run --workflow deploy.yml --input version=1.2.3 --input environment=staging"
slipway run --workflow deploy.yml --input version=1.2.3 --input environment=staging
echo
echo "== slipway runs"
slipway runs
echo
echo "Try more in $work: slipway run --dry-run --event pull_request; slipway logs 1; slipway lint"
