// /etc/os-release (os-release(5)) and the distribution family it belongs to
// (distro-paths.md §1). Family decides package names and library directories.
import { readFileSync } from "node:fs";

export interface OsRelease {
  /** Lower-case ID, e.g. "debian", "rocky"; undefined when the file has none. */
  id: string | undefined;
  /** ID_LIKE tokens, closest parent first. */
  idLike: string[];
  versionId: string | undefined;
  prettyName: string | undefined;
  /** Every KEY=value pair, unquoted. */
  fields: Record<string, string>;
}

export const DISTRO_FAMILIES = ["debian", "fedora", "suse", "arch", "alpine", "nix", "unknown"] as const;
export type DistroFamily = (typeof DISTRO_FAMILIES)[number];

export const OS_RELEASE_PATHS = ["/etc/os-release", "/usr/lib/os-release"] as const;

/** Removes shell quoting: "double" (with \" \\ \$ \` escapes), 'single', or bare. */
function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, "$1");
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value.replace(/\\(.)/g, "$1");
}

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) fields[match[1] as string] = unquote(match[2] as string);
  }
  const words = (value: string | undefined): string[] => (value ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return {
    id: words(fields.ID)[0],
    idLike: words(fields.ID_LIKE),
    versionId: fields.VERSION_ID,
    prettyName: fields.PRETTY_NAME,
    fields,
  };
}

/** Reads /etc/os-release, else /usr/lib/os-release; undefined when neither is readable. */
export function readOsRelease(paths: readonly string[] = OS_RELEASE_PATHS): OsRelease | undefined {
  for (const path of paths) {
    try {
      return parseOsRelease(readFileSync(path, "utf8"));
    } catch {
      // Try the next location.
    }
  }
  return undefined;
}

const FAMILY_OF_ID: Record<string, DistroFamily> = {
  debian: "debian", ubuntu: "debian", linuxmint: "debian", pop: "debian", raspbian: "debian", kali: "debian",
  fedora: "fedora", rhel: "fedora", centos: "fedora", rocky: "fedora", almalinux: "fedora", amzn: "fedora", ol: "fedora",
  suse: "suse", opensuse: "suse", "opensuse-leap": "suse", "opensuse-tumbleweed": "suse", sles: "suse", sled: "suse",
  arch: "arch", manjaro: "arch", endeavouros: "arch",
  alpine: "alpine",
  nixos: "nix",
};

/** The family of ID, else of the first ID_LIKE token that has one. */
export function distroFamily(os: OsRelease | undefined): DistroFamily {
  if (os === undefined) return "unknown";
  for (const token of [os.id, ...os.idLike]) {
    const family = token === undefined ? undefined : FAMILY_OF_ID[token];
    if (family !== undefined) return family;
  }
  return "unknown";
}
