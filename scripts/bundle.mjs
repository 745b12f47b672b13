#!/usr/bin/env node
// Bundles the CLI into a few ESM files (dist/bundle/). Loading ~50 small modules costs
// tens of milliseconds of resolution on every start; one entry file plus lazily loaded
// chunks (one per subcommand, via code splitting) keeps `allocrun -- prog` fast.
// npm packages stay external: they load from node_modules only where imported.
import { existsSync, renameSync, rmSync } from "node:fs";
import { build } from "esbuild";

// Built aside and swapped in, so a CLI started meanwhile never sees half a bundle.
const target = "dist/bundle";
const staging = `dist/bundle.${process.pid}.tmp`;
const retired = `dist/bundle.${process.pid}.old`;

await build({
  entryPoints: ["src/cli/main.ts"],
  outdir: staging,
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
if (existsSync(target)) renameSync(target, retired);
renameSync(staging, target);
rmSync(retired, { recursive: true, force: true });
