// Temporary home/project folders with preset files, for catalog tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { loadPresetCatalog, type PresetCatalog } from "../../src/presets/index.js";

export interface TempLayout {
  root: string;
  home: string;
  cwd: string;
  userDir: string;
  projectDir: string;
}

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function makeTempLayout(): TempLayout {
  const root = mkdtempSync(join(tmpdir(), "allocrun-presets-"));
  created.push(root);
  const home = join(root, "home");
  const cwd = join(root, "project");
  return { root, home, cwd, userDir: join(home, ".config", "allocrun", "presets"), projectDir: join(cwd, ".allocrun", "presets") };
}

/** Writes NAME.json files; an object is written as JSON, a string as is. */
export function writePresets(dir: string, presets: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(presets)) {
    writeFileSync(join(dir, `${name}.json`), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
}

/** A catalog of the shipped presets plus the layout's user and project folders. */
export function loadTempCatalog(layout: TempLayout, extraDirs: string[] = []): PresetCatalog {
  return loadPresetCatalog({ home: layout.home, cwd: layout.cwd, env: {}, extraDirs });
}

/** Runs `action` and returns the AllocrunError it throws (message + hint + kind). */
export function catchError(action: () => unknown): { message: string; hint: string | undefined; kind: string } {
  try {
    action();
  } catch (error) {
    const e = error as { message: string; hint?: string; kind?: string };
    return { message: e.message, hint: e.hint, kind: e.kind ?? "plain" };
  }
  throw new Error("expected an error, none was thrown");
}
