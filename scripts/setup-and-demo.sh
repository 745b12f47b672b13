#!/usr/bin/env bash
# One command from a fresh checkout to a real profiled run: system packages, npm
# dependencies (the postinstall step builds the native launcher), the TypeScript build,
# then the leak example under jemalloc with heap profiling.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm run build
mkdir -p examples/build
gcc -g -O1 -pthread -o examples/build/leak examples/leak.c
node bin/allocrun.js --jemalloc --prof -- examples/build/leak
