// Which distribution this is decides every install hint doctor prints.
import type { DistroFamily, OsRelease } from "../../detect/index.js";
import { finding, type Finding } from "../../detect/finding.js";

export interface MachineFacts {
  os: OsRelease | undefined;
  family: DistroFamily;
  /** `uname -m`: "x86_64", "aarch64". */
  arch: string;
}

export function describeDistro(os: OsRelease | undefined): string | undefined {
  return os?.prettyName ?? os?.id;
}

export function checkDistro(machine: MachineFacts): Finding[] {
  const name = describeDistro(machine.os);
  if (name === undefined) {
    return [finding("machine.distro", "info", `no /etc/os-release: unknown distribution on ${machine.arch}`, "install hints below are generic; library paths are still probed")];
  }
  if (machine.family === "unknown") {
    return [finding("machine.distro", "info", `${name} on ${machine.arch}: a distribution family allocrun has no package names for`, "install hints below are generic; library paths are still probed")];
  }
  return [finding("machine.distro", "ok", `${name} on ${machine.arch} (${machine.family} family)`)];
}
