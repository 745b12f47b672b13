// `allocrun --version` / `-V`: the version in package.json, read only when asked (two
// folders up from both src/cli/ and dist/bundle/).
import { readFileSync } from "node:fs";
import { ExitCode } from "../core/exit-codes.js";

export function readPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

export function printVersion(): number {
  process.stdout.write(`allocrun ${readPackageVersion()}\n`);
  return ExitCode.ok;
}
