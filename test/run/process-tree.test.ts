// `verified` covers every process of a run: a shell script whose work is done by a static,
// Go, set-ID or allocator-linked child must say so, naming the process. Real programs,
// real allocators, the built CLI.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { buildGoProgram, makeOwnedCopy, NOBODY, whyNotRunAsNobody } from "../doctor/helpers/programs.js";
import type { RunManifest } from "../../src/run/manifest.js";
import type { ProcessRecord } from "../../src/run/process-evidence.js";

const temp = useTempDirs();
const MIB = 1024 * 1024;

async function runScript(allocator: string, script: string, cwd?: string): Promise<{ manifest: RunManifest; stderr: string; exitCode: number }> {
  const out = join(await temp.make(), "run");
  const result = await runCli([`--${allocator}`, "-o", out, "--", "sh", "-c", script], cwd === undefined ? {} : { cwd });
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as RunManifest;
  return { manifest, stderr: result.stderr, exitCode: result.exitCode };
}

function processRunning(manifest: RunManifest, exe: string): ProcessRecord {
  const found = manifest.processes?.find((process) => process.exe === exe);
  if (!found) throw new Error(`no process ${exe} in ${JSON.stringify(manifest.processes)}`);
  return found;
}

describe("the allocator is verified in every process of the run", () => {
  let dynamicPeak: string;
  let staticPeak: string;
  beforeAll(() => {
    dynamicPeak = buildExample("peak");
    staticPeak = buildExample("peak", { flags: ["-static"] });
  });

  it("is verified when a shell runs a dynamic child: both processes had jemalloc mapped", async () => {
    const { manifest } = await runScript("jemalloc", `${dynamicPeak} 24; true`);
    expect(manifest.allocator).toMatchObject({ verified: true, verifiedBy: "maps" });
    const child = processRunning(manifest, dynamicPeak);
    expect(child).toMatchObject({ allocatorSeen: true, peakRssMethod: "vmhwm-last-seen" });
    expect(child.reason).toBeUndefined();
    expect(child.peakRssBytes).toBeGreaterThan(24 * MIB);
    expect(manifest.processes!.every((process) => process.allocatorSeen === true)).toBe(true);
  });

  it("is not verified when the work ran in a static child, and names it", async () => {
    const { manifest, stderr } = await runScript("jemalloc", `${staticPeak} 24; true`);
    const child = processRunning(manifest, staticPeak);
    expect(child).toMatchObject({ allocatorSeen: null, reason: "static" });
    expect(child.peakRssBytes).toBeGreaterThan(24 * MIB);
    expect(manifest.allocator.verified).toBe(false);
    const named = `(pid ${child.pid}) is static: it ran on its own allocator`;
    expect(manifest.allocator.reason).toContain(named);
    expect(manifest.warnings.some((warning) => warning.includes(named))).toBe(true);
    expect(stderr).toContain(named);
    // peakRssBytes is the largest single process (the child), the program's own is the shell's.
    expect(manifest.programPeakRssBytes).toBeLessThan(manifest.peakRssBytes);
    expect(stderr).toMatch(/largest single process \(wait4\); the program itself/);
  });

  it("is not verified when the work ran in a static Go child", async () => {
    const goProgram = buildGoProgram("hello", { cgo: false });
    // It stays 100 ms: the census must see it, not race its start-up.
    const { manifest } = await runScript("jemalloc", `${goProgram} 100; true`);
    const child = processRunning(manifest, goProgram);
    expect(child).toMatchObject({ allocatorSeen: null, reason: "go" });
    expect(manifest.allocator.verified).toBe(false);
    expect(manifest.warnings.join("\n")).toContain(`(pid ${child.pid}) is a Go program`);
  });

  it.skipIf(whyNotRunAsNobody() !== undefined || spawnSync("setpriv", ["--version"]).error !== undefined)(
    "is not verified when a set-user-ID child ran for another user (needs root and setpriv)",
    async () => {
      const directory = await temp.make();
      const setuidCopy = makeOwnedCopy(dynamicPeak, directory, "setuid-peak", { uid: 0, gid: 0 }, 0o4755);
      spawnSync("chmod", ["755", directory]);
      const setpriv = `setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} --clear-groups`;
      const { manifest } = await runScript("jemalloc", `${setpriv} ${setuidCopy} 24; true`);
      const child = processRunning(manifest, setuidCopy);
      expect(child).toMatchObject({ allocatorSeen: false, reason: "secure-exec" });
      expect(manifest.allocator.verified).toBe(false);
      expect(manifest.allocator.reason).toContain(`setuid-peak (pid ${child.pid}) ran with another user's identity`);
    },
  );

  it.skipIf(spawnSync("redis-server", ["--version"]).error !== undefined)("warns that a redis-server started by a script links jemalloc (redis-server installed)", async () => {
    const directory = await temp.make();
    const script = `timeout -s INT 0.4 redis-server --port 0 --unixsocket ${directory}/redis.sock --save '' --appendonly no --dir ${directory} >/dev/null; true`;
    const { manifest } = await runScript("tcmalloc", script, directory);
    const redis = manifest.processes?.find((process) => process.name === "redis-server");
    expect(redis, JSON.stringify(manifest.processes)).toMatchObject({ allocatorSeen: true, reason: "different-allocator-linked", linkedAllocator: "libjemalloc.so.2" });
    expect(manifest.warnings.join("\n")).toContain(`redis-server is linked against libjemalloc.so.2: tcmalloc serves malloc/free, but jemalloc initializes too`);
    expect(manifest.warnings.join("\n")).toContain(`(pid ${redis!.pid})`);
  });

  it("records every process under --glibc without judging the allocator", async () => {
    const { manifest } = await runScript("glibc", `${staticPeak} 8; true`);
    expect(manifest.allocator).toMatchObject({ verified: true, verifiedBy: "not-needed" });
    expect(processRunning(manifest, staticPeak).allocatorSeen).toBeNull();
  });
});
