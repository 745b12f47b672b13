// File capabilities live in the security.capability extended attribute, which node
// cannot read; getcap (libcap) or getfattr (attr) can. Doctor only: it costs a process.
import { delimiter } from "node:path";
import { execaSync } from "execa";
import { findTool } from "../detect/find-tool.js";
import type { DistroFamily } from "../detect/index.js";

/** getcap lives in sbin, which a normal user's PATH often lacks. */
const SBIN_DIRECTORIES = ["/usr/sbin", "/sbin"];

function findOnPathOrSbin(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return findTool(name, [env.PATH ?? "", ...SBIN_DIRECTORIES].join(delimiter));
}

/** Runs a capability tool; its output, or undefined when it could not run or was killed. */
function runQuietly(tool: string, args: string[]): { exitCode: number; stdout: string; stderr: string } | undefined {
  const result = execaSync(tool, args, { stdin: "ignore", timeout: 10_000, reject: false });
  return result.exitCode === undefined ? undefined : { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** True/false from getcap or getfattr; undefined when neither is installed or both fail. */
export function readFileCapabilities(path: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const getcap = findOnPathOrSbin("getcap", env);
  const fromGetcap = getcap === undefined ? undefined : runQuietly(getcap, [path]);
  // "path cap_net_raw=ep" when set, nothing when not.
  if (fromGetcap?.exitCode === 0) return fromGetcap.stdout.trim() !== "";
  const getfattr = findOnPathOrSbin("getfattr", env);
  const fromGetfattr = getfattr === undefined ? undefined : runQuietly(getfattr, ["--absolute-names", "-n", "security.capability", path]);
  if (fromGetfattr?.exitCode === 0) return fromGetfattr.stdout.includes("security.capability");
  if (fromGetfattr !== undefined && /No such attribute/.test(fromGetfattr.stderr)) return false;
  return undefined;
}

const GETCAP_PACKAGES: Partial<Record<DistroFamily, string>> = {
  debian: "apt install libcap2-bin",
  fedora: "dnf install libcap",
  suse: "zypper install libcap-progs",
  arch: "pacman -S libcap",
  alpine: "apk add libcap-utils",
};

export function getcapInstallHint(family: DistroFamily): string {
  const command = GETCAP_PACKAGES[family];
  return command === undefined ? "install getcap (libcap) to check file capabilities" : `install getcap: ${command}`;
}
