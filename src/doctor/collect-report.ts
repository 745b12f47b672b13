// Everything `allocrun doctor` says, as data: the --json document and the input of the
// text renderer. The sections run in the order they are printed.
import { machine as unameMachine } from "node:os";
import { findTool } from "../detect/find-tool.js";
import { distroFamily, readOsRelease, type DistroFamily } from "../detect/index.js";
import type { Finding } from "../detect/finding.js";
import { inspectAllocators, type AllocatorInfo } from "./machine/allocator-libraries.js";
import { checkDistro, describeDistro } from "./machine/distro.js";
import { checkOutputFolder } from "./machine/output-folder.js";
import { checkPtraceScope, readPtraceScope } from "./machine/ptrace-scope.js";
import { inspectTools, systemToolLookup, type ToolInfo } from "./machine/tools.js";
import { inspectProgram, type ProgramInfo } from "./program-report.js";

/** Bumped when a key changes meaning or disappears; new keys may appear without a bump. */
export const DOCTOR_SCHEMA_VERSION = 1;

export interface DoctorReport {
  schemaVersion: typeof DOCTOR_SCHEMA_VERSION;
  machine: { distro: string | null; family: DistroFamily; arch: string };
  allocators: AllocatorInfo[];
  tools: ToolInfo[];
  /** null without a PROGRAM argument. */
  program: ProgramInfo | null;
  /** Every finding; ids start with machine., allocator., library., tool. or target. */
  findings: Finding[];
}

export interface DoctorRequest {
  /** Resolved path and the name the user typed. */
  program?: { path: string; shownName: string };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function collectDoctorReport(request: DoctorRequest): DoctorReport {
  const os = readOsRelease();
  const family = distroFamily(os);
  const arch = unameMachine();
  const runner = { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
  const findings: Finding[] = [
    ...checkDistro({ os, family, arch }),
    ...checkOutputFolder(request.cwd),
    ...checkPtraceScope(readPtraceScope(), runner.uid),
  ];
  // jemalloc's reply to prof:true needs a dynamically linked program that exits at once.
  const probe = { program: findTool("true", request.env.PATH ?? "") ?? "/bin/true", env: request.env };
  const { allocators, findings: allocatorFindings } = inspectAllocators(request.env, family, probe);
  findings.push(...allocatorFindings);
  const { tools, findings: toolFindings } = inspectTools(systemToolLookup(request.env), family, os);
  findings.push(...toolFindings);
  let program: ProgramInfo | null = null;
  if (request.program !== undefined) {
    const inspected = inspectProgram(request.program.path, request.program.shownName, { env: request.env, family, os, runner, allocators });
    program = inspected.program;
    findings.push(...inspected.findings);
  }
  return { schemaVersion: DOCTOR_SCHEMA_VERSION, machine: { distro: describeDistro(os) ?? null, family, arch }, allocators, tools, program, findings };
}
