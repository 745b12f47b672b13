// Reads a capture from test/stats/fixtures (see regen.sh there for how each was made).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

export function readStatsFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}
