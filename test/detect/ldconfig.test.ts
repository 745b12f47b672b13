import { describe, expect, it } from "vitest";
import { parseLdconfigCache, readLdconfigCache, selectLdconfigEntries } from "../../src/detect/index.js";
import { EM_386, EM_AARCH64, EM_ARM, EM_X86_64 } from "../../src/elf/index.js";
import { readLdconfigFixture } from "./sample-system.js";

const X86_64 = { bits: 64, machine: EM_X86_64, flags: 0 } as const;
const I386 = { bits: 32, machine: EM_386, flags: 0 } as const;
const X32 = { bits: 32, machine: EM_X86_64, flags: 0 } as const;
const AARCH64 = { bits: 64, machine: EM_AARCH64, flags: 0 } as const;
const ARMHF = { bits: 32, machine: EM_ARM, flags: 0x05000400 } as const;

describe("parseLdconfigCache", () => {
  it("reads every entry of the Debian sample and skips its header and trailer", () => {
    const text = readLdconfigFixture("debian-12-x86_64.txt");
    const entries = parseLdconfigCache(text);
    expect(entries).toHaveLength(text.split("\n").filter((line) => line.startsWith("\t")).length);
    expect(entries[0]).toEqual({ soname: "libz.so.1", type: "libc6", abi: "x86-64", hwcap: undefined, path: "/lib/x86_64-linux-gnu/libz.so.1" });
    expect(entries.find((entry) => entry.path === "/lib32/ld-linux.so.2")).toMatchObject({ type: "ELF", abi: undefined });
  });

  it("separates the ABI from hwcap and OS ABI details", () => {
    const fedora = parseLdconfigCache(readLdconfigFixture("fedora-40-x86_64.txt"));
    expect(fedora.find((entry) => entry.path.includes("glibc-hwcaps"))).toMatchObject({ abi: "x86-64", hwcap: "x86-64-v3" });
    const ubuntu = parseLdconfigCache(readLdconfigFixture("ubuntu-24.04-x86_64.txt"));
    expect(ubuntu.find((entry) => entry.soname === "libc.so.6")).toMatchObject({ abi: "x86-64", hwcap: undefined });
  });

  it("parses this machine's real `ldconfig -p` and finds libjemalloc.so.2 in it", () => {
    const text = readLdconfigCache();
    expect(text).toBeDefined();
    const entries = parseLdconfigCache(text ?? "");
    expect(entries.length).toBeGreaterThan(100);
    expect(selectLdconfigEntries(entries, "libjemalloc.so.2", X86_64).map((entry) => entry.path)).toEqual(["/lib/x86_64-linux-gnu/libjemalloc.so.2"]);
  });

  it("finds ldconfig in /sbin even when PATH does not list it (as for most normal users)", () => {
    expect(readLdconfigCache({ PATH: "" })).toBeDefined();
  });
});

describe("selectLdconfigEntries", () => {
  const debian = parseLdconfigCache(readLdconfigFixture("debian-12-x86_64.txt"));

  it("picks the x86-64, x32 and i386 copies of libmemusage.so for programs of each ABI", () => {
    const pathFor = (identity: typeof X86_64 | typeof I386 | typeof X32) =>
      selectLdconfigEntries(debian, "libmemusage.so", identity).map((entry) => entry.path);
    expect(pathFor(X86_64)).toEqual(["/lib/x86_64-linux-gnu/libmemusage.so"]);
    expect(pathFor(I386)).toEqual(["/lib32/libmemusage.so"]);
    expect(pathFor(X32)).toEqual(["/libx32/libmemusage.so"]);
  });

  it("offers no 64-bit libjemalloc to a 32-bit program", () => {
    expect(selectLdconfigEntries(debian, "libjemalloc.so.2", I386)).toEqual([]);
  });

  it("picks AArch64 and armhf entries by ABI token", () => {
    const arm = parseLdconfigCache(readLdconfigFixture("debian-12-arm64.txt"));
    expect(selectLdconfigEntries(arm, "libc.so.6", AARCH64).map((entry) => entry.path)).toEqual(["/lib/aarch64-linux-gnu/libc.so.6"]);
    expect(selectLdconfigEntries(arm, "libc.so.6", ARMHF).map((entry) => entry.path)).toEqual(["/lib/arm-linux-gnueabihf/libc.so.6"]);
  });

  it("puts glibc-hwcaps variants after the plain library", () => {
    const fedora = parseLdconfigCache(readLdconfigFixture("fedora-40-x86_64.txt"));
    const hwcapFirst = [...fedora].reverse();
    expect(selectLdconfigEntries(hwcapFirst, "libz.so.1", X86_64).map((entry) => entry.path)).toEqual([
      "/lib64/libz.so.1",
      "/lib64/glibc-hwcaps/x86-64-v3/libz.so.1",
    ]);
  });
});
