#!/usr/bin/env node
// Bundles the CLI into one file per command (dist/bundle/). Node's ESM loader spends
// about a millisecond per module file, so `allocrun -- prog` loads just two files:
// main.js and run.js. Each command is a self-contained bundle that main.js imports on
// demand (dynamic imports of other commands or of the after-run analysis stay lazy,
// pointing at their own bundles). npm packages stay external, loaded where imported.
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { build } from "esbuild";

const commandEntries = readdirSync("src/cli/commands")
  .filter((name) => name.endsWith(".ts"))
  .map((name) => `src/cli/commands/${name}`);
const entryPoints = ["src/cli/main.ts", ...commandEntries, "src/analysis/after-run.ts"];
const lazyNames = new Set(entryPoints.map((path) => basename(path, ".ts")));

/** A dynamic import of another entry becomes a lazy import of that entry's bundle. */
const keepEntriesLazy = {
  name: "keep-entries-lazy",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\.js$/ }, (args) => {
      const name = basename(args.path, ".js");
      if (args.kind !== "dynamic-import" || !lazyNames.has(name)) return undefined;
      return { path: `./${name}.js`, external: true };
    });
  },
};

// Built aside and swapped in, so a CLI started meanwhile never sees half a bundle.
const target = "dist/bundle";
const staging = `dist/bundle.${process.pid}.tmp`;
const retired = `dist/bundle.${process.pid}.old`;

await build({
  entryPoints,
  outdir: staging,
  entryNames: "[name]",
  bundle: true,
  splitting: false,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  plugins: [keepEntriesLazy],
  logLevel: "warning",
});
if (existsSync(target)) renameSync(target, retired);
renameSync(staging, target);
rmSync(retired, { recursive: true, force: true });
