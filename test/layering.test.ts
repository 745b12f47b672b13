// The house is one-way (ARCHITECTURE.md): a stage imports only the stages below it, so
// that the run path never drags analysis code in and capture and analysis meet only at
// the run folder. This reads every import in src/ and checks it against that table.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/examples.js";

const SRC = join(REPO_ROOT, "src");

const BELOW_RUN = ["core", "elf", "detect", "presets", "stats"];
const ANALYSIS_SIDE = ["core", "elf", "detect", "profile", "symbolize", "analysis", "report"];

/** Stage → the stages it may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  elf: ["core"],
  detect: ["core", "elf"],
  presets: ["core", "elf", "detect"],
  stats: ["core"],
  profile: ["core"],
  symbolize: ["core", "elf", "detect", "profile"],
  analysis: ["core", "elf", "detect", "profile", "symbolize"],
  report: ["core", "elf", "detect", "profile", "symbolize", "analysis"],
  run: BELOW_RUN,
  doctor: [...BELOW_RUN, "run", "profile", "symbolize"],
  compare: [...new Set([...BELOW_RUN, ...ANALYSIS_SIDE, "run"])],
  ci: [...new Set([...BELOW_RUN, ...ANALYSIS_SIDE, "run"])],
  live: [...new Set([...BELOW_RUN, ...ANALYSIS_SIDE, "run", "doctor"])],
  cli: ["*"],
};

/**
 * Known upward imports still to be moved, each "file -> stage". The list may only shrink:
 * an entry that no longer occurs fails the test, so it gets deleted when fixed.
 */
const KNOWN_DEBT: readonly string[] = [];

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

function stageOf(pathInSrc: string): string {
  return pathInSrc.split("/")[0]!;
}

/** Every "file -> stage" edge that crosses into another stage. */
function crossStageImports(): Array<{ file: string; stage: string; target: string }> {
  return listSourceFiles(SRC).flatMap((file) => {
    const fileInSrc = relative(SRC, file);
    const stage = stageOf(fileInSrc);
    const targets = [...readFileSync(file, "utf8").matchAll(IMPORT_SPECIFIER)].map((match) => stageOf(relative(SRC, resolve(dirname(file), match[1]!))));
    return [...new Set(targets)].filter((target) => target !== stage).map((target) => ({ file: fileInSrc, stage, target }));
  });
}

describe("stages import only the stages below them", () => {
  const edges = crossStageImports();

  it("finds the imports it checks", () => {
    expect(edges.length).toBeGreaterThan(50);
    expect(Object.keys(MAY_IMPORT).sort()).toEqual([...new Set(listSourceFiles(SRC).map((file) => stageOf(relative(SRC, file))))].filter((stage) => !stage.endsWith(".ts")).sort());
  });

  it("has no upward import beyond the known ones", () => {
    const upward = edges
      .filter(({ stage, target }) => !(MAY_IMPORT[stage] ?? []).includes("*") && !(MAY_IMPORT[stage] ?? []).includes(target))
      .map(({ file, target }) => `${file} -> ${target}`);
    expect(upward.filter((edge) => !KNOWN_DEBT.includes(edge))).toEqual([]);
    expect(KNOWN_DEBT.filter((edge) => !upward.includes(edge))).toEqual([]);
  });
});
