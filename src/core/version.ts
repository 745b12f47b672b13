// The tool's version, read once from package.json next to src/ or dist/.
import { readFileSync } from "node:fs";
import { packagePath } from "./package-root.js";

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Set by scripts/bundle.mjs; undefined when running from source (tests, tsc output). */
declare const __ALLOCRUN_VERSION__: string | undefined;

export const TOOL_VERSION = typeof __ALLOCRUN_VERSION__ === "string" ? __ALLOCRUN_VERSION__ : readVersion();
