#!/usr/bin/env node
// Bundles the CLI into one file per command (dist/bundle/). `allocrun -- prog` sits in
// front of the user's program, so its path is built for start-up time:
// - main.cjs is CommonJS and holds run, env and help itself: a run then loads one file
//   and never starts Node's ESM loader (async module jobs, facades over every builtin);
//   bin/ is CommonJS as well;
// - everything else (analyze, compare, ci, doctor, live commands, after-run analysis) is
//   a self-contained ES module bundle that main loads on demand; dynamic imports of those
//   entries stay lazy and point at their bundles;
// - whitespace and syntax are minified (parsing is part of start-up), names are kept.
// npm packages stay external, loaded where imported.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { build } from "esbuild";

const HOT_ENTRIES = new Set(["main", "run", "env", "help"]);
const commandEntries = readdirSync("src/cli/commands")
  .filter((name) => name.endsWith(".ts"))
  .map((name) => `src/cli/commands/${name}`);
const entryPoints = ["src/cli/main.ts", ...commandEntries, "src/report/after-run.ts", "src/analysis/record-objects.ts"];
const entryNames = new Set(entryPoints.map((path) => basename(path, ".ts")));
/** A dynamic import of another (cold) entry becomes a lazy import of that entry's bundle. */
const keepEntriesLazy = {
  name: "keep-entries-lazy",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\.js$/ }, (args) => {
      const name = basename(args.path, ".js");
      if (args.kind !== "dynamic-import" || !entryNames.has(name) || HOT_ENTRIES.has(name)) return undefined;
      return { path: `./${name}.js`, external: true };
    });
  },
};

// Built aside and swapped in, so a CLI started meanwhile never sees half a bundle.
const target = "dist/bundle";
const staging = `dist/bundle.${process.pid}.tmp`;
const retired = `dist/bundle.${process.pid}.old`;

/** Names what the bundles cache about files on disk (src/detect/elf-facts-cache.ts), so
 * that facts a changed source could decide differently are never reused: every src/ file. */
function hashSources(directory = "src") {
  const hash = createHash("sha256");
  const visit = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) visit(child);
      else hash.update(child).update("\0").update(readFileSync(child));
    }
  };
  visit(directory);
  return hash.digest("hex").slice(0, 16);
}
const sourceHash = {
  __ALLOCRUN_SOURCE_HASH__: JSON.stringify(hashSources()),
  // The version is read once here, not from package.json at every start.
  __ALLOCRUN_VERSION__: JSON.stringify(JSON.parse(readFileSync("package.json", "utf8")).version),
};

const common = {
  outdir: staging,
  entryNames: "[name]",
  bundle: true,
  splitting: false,
  platform: "node",
  target: "node20",
  packages: "external",
  plugins: [keepEntriesLazy],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  define: sourceHash,
};
const isHot = (path) => HOT_ENTRIES.has(basename(path, ".ts"));

// bin/allocrun.js runs main.cjs from a V8 code cache through vm.Script, where Node 20
// refuses import() without --experimental-vm-modules. So main's imports of the other
// bundles go through __allocrunImportEntry: bin passes one that imports from bin's own
// module; required plainly, main.cjs uses its own import().
const importEntryBanner =
  'const __allocrunImportEntry = typeof __allocrunEntryImporter === "function" ? __allocrunEntryImporter : (specifier) => import(specifier);';
/** Routes main's imports of other bundles (above) and heads main.cjs with its content hash,
 * which names bin's code cache: hashing at every start would cost more than the cache saves. */
function finishMainBundle(path) {
  const code = readFileSync(path, "utf8").replace(/\bimport\(("\.\/[\w-]+\.js")\)/g, "__allocrunImportEntry($1)");
  const hash = createHash("sha256").update(code).digest("hex");
  writeFileSync(path, `// bundle-hash: ${hash}\n${code}`);
}

await build({
  ...common,
  entryPoints: ["src/cli/main.ts"],
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  // Modules find package files relative to their own URL; in CommonJS that is __filename,
  // made a URL only if asked (a URL parse is measurable at start-up), and the package root
  // is worked out from __dirname (src/core/package-root.ts).
  define: { ...sourceHash, "import.meta.url": "__allocrunMeta.url", __ALLOCRUN_PACKAGE_ROOT__: "__allocrunPackageRoot" },
  banner: {
    js: `const __allocrunMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } }, __allocrunPackageRoot = require("node:path").join(__dirname, "..", "..");${importEntryBanner}`,
  },
});
finishMainBundle(`${staging}/main.cjs`);
await build({ ...common, entryPoints: entryPoints.filter((path) => !isHot(path)), format: "esm" });

if (existsSync(target)) renameSync(target, retired);
renameSync(staging, target);
rmSync(retired, { recursive: true, force: true });
