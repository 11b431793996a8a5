#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. Installs what the tests need (Debian's Dovecot,
# Postfix and Chromium) when missing, builds, then type-checks, lints, and runs the unit,
# integration (real Dovecot + Postfix, started and stopped by the tests) and e2e suites.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages"
bash scripts/ensure-system-deps.sh

step "build"
npx electron-vite build --logLevel warn

step "typecheck"
npx tsc -b

step "lint"
npx eslint . --max-warnings 0
npx prettier --check . --log-level warn

step "unit"
npx vitest run --project unit

step "integration (Dovecot + Postfix on loopback)"
npx vitest run --project integration

step "e2e (browser mode in Chromium)"
npx playwright test

step "all passed"
