// File capabilities live in the security.capability extended attribute, which node
// cannot read; getcap (libcap) or getfattr (attr) can. Doctor only: it costs a process.
import { spawnSync } from "node:child_process";
import { delimiter } from "node:path";
import { findTool } from "../../detect/find-tool.js";
import type { DistroFamily } from "../../detect/index.js";

/** getcap lives in sbin, which a normal user's PATH often lacks. */
const SBIN_DIRECTORIES = ["/usr/sbin", "/sbin"];

function findOnPathOrSbin(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return findTool(name, [env.PATH ?? "", ...SBIN_DIRECTORIES].join(delimiter));
}

/** True/false from getcap or getfattr; undefined when neither is installed or both fail. */
export function readFileCapabilities(path: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const getcap = findOnPathOrSbin("getcap", env);
  if (getcap !== undefined) {
    const result = spawnSync(getcap, [path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
    // "path cap_net_raw=ep" when set, nothing when not.
    if (result.status === 0) return result.stdout.trim() !== "";
  }
  const getfattr = findOnPathOrSbin("getfattr", env);
  if (getfattr !== undefined) {
    const result = spawnSync(getfattr, ["--absolute-names", "-n", "security.capability", path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
    if (result.status === 0) return result.stdout.includes("security.capability");
    if (/No such attribute/.test(result.stderr)) return false;
  }
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
