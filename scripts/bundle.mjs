#!/usr/bin/env node
// Bundles the CLI into a few ESM files (dist/bundle/). Loading ~50 small modules costs
// tens of milliseconds of resolution on every start; one entry file plus lazily loaded
// chunks (one per subcommand, via code splitting) keeps `allocrun -- prog` fast.
// npm packages stay external: they load from node_modules only where imported.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
