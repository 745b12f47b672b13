#!/bin/sh
':' //; if [ "${NODE_OPTIONS+set}" ]; then ALLOCRUN_CALLER_NODE_OPTIONS=$NODE_OPTIONS; export ALLOCRUN_CALLER_NODE_OPTIONS; unset NODE_OPTIONS; fi; exec node -- "$0" "$@"
// The line above is read by /bin/sh and is a no-op string to JavaScript. It starts Node
// with `--` before this script, because Node 20 otherwise reads `--env-file` (and
// `--env-file=`) anywhere in argv, including the user's program arguments, and would load
// that file itself. It also keeps the caller's NODE_OPTIONS (--require, --inspect, …) out
// of allocrun's own process and hands it back below, so the wrapped program receives it
// untouched. (`#!/usr/bin/env -S node --` would do the first, but BusyBox env has no -S.)
// Same cost as `#!/usr/bin/env node`: one small exec before Node.
if ("ALLOCRUN_CALLER_NODE_OPTIONS" in process.env) {
  process.env.NODE_OPTIONS = process.env.ALLOCRUN_CALLER_NODE_OPTIONS;
  delete process.env.ALLOCRUN_CALLER_NODE_OPTIONS;
}
// Thin entry: everything lives in dist/ (built by `npm run build`). CommonJS on purpose
// (see bin/package.json and scripts/bundle.mjs): it starts faster than an ES module.
require("../dist/bundle/main.cjs");
