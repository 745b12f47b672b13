#!/usr/bin/env node
// Bundles the CLI into a few ESM files (dist/bundle/). Loading ~50 small modules costs
// tens of milliseconds of resolution on every start; one entry file plus lazily loaded
// chunks (one per subcommand, via code splitting) keeps `allocrun -- prog` fast.
// npm packages stay external: they load from node_modules only where imported.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Old chunks have other hashes: start clean so dist/ holds only what main.js loads.
rmSync("dist/bundle", { recursive: true, force: true });

await build({
  entryPoints: ["src/cli/main.ts"],
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // Chunks stay beside main.js: modules find package files by "../../" from their own URL.
  chunkNames: "[name]-[hash]",
  logLevel: "warning",
});
