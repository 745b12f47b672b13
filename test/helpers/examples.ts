// Compiles the C programs in examples/ for tests, once per source + flags combination.
// Builds land in test/.build/ under a name derived from a hash of source and flags, and
// are renamed into place so parallel test workers never see a half-written binary.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const EXAMPLES_DIR = join(REPO_ROOT, "examples");
const BUILD_DIR = join(REPO_ROOT, "test", ".build");

export interface ExampleBuildOptions {
  /** Extra compiler flags, e.g. ["-static"] or ["-m32"]. */
  flags?: string[];
  /** Strip all symbols after linking. */
  strip?: boolean;
}

export function buildExample(name: string, options: ExampleBuildOptions = {}): string {
  const source = join(EXAMPLES_DIR, `${name}.c`);
  const flags = ["-g", "-O1", "-pthread", ...(options.flags ?? [])];
  const key = createHash("sha256")
    .update(readFileSync(source))
    .update(JSON.stringify({ flags, strip: options.strip ?? false }))
    .digest("hex")
    .slice(0, 12);
  const output = join(BUILD_DIR, `${name}-${key}`);
  if (existsSync(output)) return output;
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${output}.${process.pid}.tmp`;
  execFileSync("gcc", [...flags, "-o", partial, source], { stdio: ["ignore", "ignore", "inherit"] });
  if (options.strip) execFileSync("strip", ["--strip-all", partial]);
  renameSync(partial, output);
  return output;
}
