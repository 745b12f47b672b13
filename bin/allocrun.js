#!/usr/bin/env node
// Thin entry: everything lives in dist/ (built by `npm run build`).
import "../dist/bundle/main.js";
