// Golden files for report outputs: compared byte for byte, rewritten with UPDATE_GOLDEN=1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "golden");

export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`golden file ${name} was missing and has been written; check it and run again`);
    return;
  }
  expect(actual, `${name} differs; if the change is intended run UPDATE_GOLDEN=1 npx vitest run test/report`).toBe(readFileSync(path, "utf8"));
}
