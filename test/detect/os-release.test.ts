import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { distroFamily, parseOsRelease, readOsRelease } from "../../src/detect/index.js";
import { REPO_ROOT } from "../helpers/examples.js";
import { readOsReleaseFixture } from "./sample-system.js";

describe("parseOsRelease", () => {
  it("unquotes double, single and bare values, applies shell escapes and skips comments", () => {
    const os = parseOsRelease([
      "# a comment",
      'NAME="Some \\"Quoted\\" Linux"',
      "ID='some'",
      "ID_LIKE=\"Debian  ubuntu\"",
      "VERSION_ID=1.0",
      "PRETTY_NAME=Some\\ Linux",
      "not a pair",
      "",
    ].join("\n"));
    expect(os.fields.NAME).toBe('Some "Quoted" Linux');
    expect(os.id).toBe("some");
    expect(os.idLike).toEqual(["debian", "ubuntu"]);
    expect(os.versionId).toBe("1.0");
    expect(os.prettyName).toBe("Some Linux");
    expect(Object.keys(os.fields)).toEqual(["NAME", "ID", "ID_LIKE", "VERSION_ID", "PRETTY_NAME"]);
  });

  it("ignores a commented-out key, as openSUSE's VERSION line", () => {
    const os = parseOsRelease(readOsReleaseFixture("opensuse-tumbleweed"));
    expect(os.fields.VERSION).toBeUndefined();
    expect(os.versionId).toBe("20240901");
  });

  it("reads ID and VERSION_ID of this Debian 12 machine's /etc/os-release", () => {
    expect(readOsRelease()).toMatchObject({ id: "debian", versionId: "12" });
  });

  it("falls back to the next path when /etc/os-release is missing, and gives undefined when all are", () => {
    expect(readOsRelease(["/nonexistent/os-release", "/etc/os-release"])?.id).toBe("debian");
    expect(readOsRelease(["/nonexistent/os-release"])).toBeUndefined();
  });
});

describe("distroFamily", () => {
  const expected: Record<string, string> = {
    "debian-12": "debian", "debian-13": "debian", "ubuntu-24.04": "debian", "linuxmint-21": "debian",
    "fedora-40": "fedora", "rocky-9": "fedora", "amzn-2023": "fedora", "amzn-2": "fedora",
    "opensuse-tumbleweed": "suse", "opensuse-leap-15.6": "suse",
    arch: "arch", manjaro: "arch", "alpine-3.20": "alpine", "nixos-24.05": "nix", gentoo: "unknown",
  };

  it("has an expectation for every os-release fixture", () => {
    const fixtures = readdirSync(join(REPO_ROOT, "test", "fixtures", "os-release")).filter((name) => !name.endsWith(".md"));
    expect(fixtures.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))("classifies %s as %s", (fixture, family) => {
    expect(distroFamily(parseOsRelease(readOsReleaseFixture(fixture)))).toBe(family);
  });

  it("resolves through ID_LIKE when ID is unknown, and gives unknown without os-release", () => {
    expect(distroFamily(parseOsRelease('ID=rhel-clone\nID_LIKE="centos rhel fedora"\n'))).toBe("fedora");
    expect(distroFamily(parseOsRelease("ID=unheard\nID_LIKE=alsounheard\n"))).toBe("unknown");
    expect(distroFamily(undefined)).toBe("unknown");
  });
});
