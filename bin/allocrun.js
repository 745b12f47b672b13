#!/usr/bin/env node
// Thin entry: everything lives in dist/ (built by `npm run build`). CommonJS on purpose
// (see bin/package.json and scripts/bundle.mjs): it starts faster than an ES module.
require("../dist/bundle/main.cjs");
