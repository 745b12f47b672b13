// `allocrun doctor RUN-DIR`: what a finished run tells — whether the allocator really
// took effect, and whether it kept much more memory than the program used.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inputError } from "../../core/errors.js";
import type { RunManifest } from "../../run/manifest.js";
import type { Finding } from "../../detect/finding.js";
import { checkFragmentation } from "../../stats/fragmentation.js";

export function isRunFolder(path: string): boolean {
  return existsSync(join(path, "manifest.json"));
}

export function readRunFolderManifest(runDir: string): RunManifest {
  try {
    return JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as RunManifest;
  } catch (error) {
    throw inputError(`${join(runDir, "manifest.json")} cannot be read: ${(error as Error).message}`, "pass a folder written by allocrun run", error);
  }
}

export function checkRunFolder(manifest: RunManifest): Finding[] {
  const findings: Finding[] = [];
  const { allocator } = manifest;
  if (allocator.verified) {
    findings.push({ id: "run.allocator", severity: "ok", what: `the program ran under ${allocator.name} (${allocator.verifiedBy})` });
  } else {
    findings.push({
      id: "run.allocator",
      severity: "warning",
      what: `not shown that the program ran under ${allocator.name}: ${allocator.reason ?? "no evidence"}`,
      fix: "run allocrun doctor PROGRAM for the reason (static, setuid, Go, wrong library) before trusting this run's figures",
    });
  }
  if (manifest.allocatorStats === null || manifest.allocatorStats === undefined) {
    findings.push({ id: "run.stats", severity: "info", what: "this run has no allocator statistics", fix: "run again with --stats to check for memory the allocator keeps (fragmentation)" });
    return findings;
  }
  const fragmentation = checkFragmentation(manifest.allocatorStats, manifest.peakRssBytes);
  if (fragmentation.length === 0) findings.push({ id: "run.fragmentation", severity: "ok", what: "the allocator kept no large amount of freed memory" });
  return [...findings, ...fragmentation];
}
