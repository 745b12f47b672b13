// A full filesystem: allocrun says in one line what it could not save, where, and about
// how much room it needed; the program's status still passes through; nothing it leaves
// is half-written (no partial file, no *.tmp), and the profiles already there stay intact.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyzeRunFolderAfterRun } from "../../src/report/after-run.js";
import { buildExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli.js";
import { fillFilesystem, mountTinyTmpfs, type TinyFilesystem } from "../helpers/machine-capabilities.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const mounted = mountTinyTmpfs(2048);
const tiny = "reason" in mounted ? undefined : (mounted as TinyFilesystem);
afterAll(() => tiny?.remove());

/** Every file under `folder`, relative, recursively. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" }).sort();
}

describe.skipIf(tiny === undefined)(`a full filesystem${tiny === undefined ? ` (skipped: ${(mounted as { reason: string }).reason})` : ""}`, () => {
  const disk = tiny?.path ?? "";
  /** A real jemalloc run folder with heap profiles, made on a roomy disk. */
  let profiledRun: string;
  beforeAll(async () => {
    profiledRun = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "--no-analyze", "-q", "-o", profiledRun, "--", buildExample("leak")]);
    expect(result.exitCode).toBe(0);
  }, 60_000);
  afterEach(() => {
    for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
  });

  it("run: the program fills the disk and exits 3; allocrun exits 3 too, says it could not save manifest.json, and leaves no temp file", async () => {
    const out = join(disk, "run");
    const result = await runCli(["--glibc", "-q", "-o", out, "--", "sh", "-c", `dd if=/dev/zero of=${join(disk, "filler")} bs=4k 2>/dev/null; exit 3`]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).not.toMatch(/internal error|this is a bug/);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^allocrun: could not save manifest\\.json in ${out}: no space left on device \\(needs about \\d+(\\.\\d+)? KiB\\) — free some space there or write to another folder$`)),
    ]);
    expect(filesUnder(out).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(out, "manifest.json"))).toBe(false);
  });

  it("analysis after a run: one error naming the folder and the room needed; no partial flame.svg or analysis.txt; the profiles intact", async () => {
    const runDir = join(disk, "run");
    cpSync(profiledRun, runDir, { recursive: true });
    const before = new Map(filesUnder(runDir).map((name) => [name, readFileSync(join(runDir, name))]));
    fillFilesystem(disk);
    const failure = analyzeRunFolderAfterRun(runDir, { top: 5, quiet: true });
    await expect(failure).rejects.toThrow(new RegExp(`^could not save the analysis \\(analysis\\.json, analysis\\.txt, flame\\.svg\\) in ${runDir}: no space left on device \\(needs about \\d+(\\.\\d+)? KiB\\)$`));
    await expect(failure).rejects.toMatchObject({ hint: `free some space there or write to another folder, then: allocrun analyze ${runDir} (the profiles are intact)` });
    expect(filesUnder(runDir)).toEqual([...before.keys()]);
    for (const [name, content] of before) expect(readFileSync(join(runDir, name)).equals(content), name).toBe(true);
  });

  it("analyze -o onto a full disk: exit 2, one line with the room needed, no *.tmp left", async () => {
    const profile = filesUnder(profiledRun).find((name) => name.endsWith(".f.heap") || name.endsWith(".heap"))!;
    fillFilesystem(disk);
    const target = join(disk, "report.txt");
    const result = await runCli(["analyze", join(profiledRun, profile), "-o", target]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n").filter((line) => line.startsWith("allocrun:"))).toEqual([
      expect.stringMatching(new RegExp(`^allocrun: could not save report\\.txt in ${disk}: no space left on device \\(needs about \\d+(\\.\\d+)? (B|KiB)\\) — free some space there or write to another folder$`)),
    ]);
    expect(filesUnder(disk)).toEqual(["filler"]);
  });

  it("run with a full TMPDIR: the launcher's status goes to the run folder, and the run is verified as usual", async () => {
    fillFilesystem(disk);
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "-q", "-o", out, "--", "sh", "-c", "sleep 0.3"], { env: { TMPDIR: disk } });
    expect(result.exitCode, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { allocator: { verified: boolean }; processes: unknown[] | null };
    expect(manifest.allocator.verified).toBe(true);
    expect(manifest.processes?.length).toBeGreaterThan(0);
    expect(filesUnder(out).filter((name) => name.startsWith("allocrun-status"))).toEqual([]);
  });
});
