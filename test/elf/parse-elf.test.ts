import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import {
  containsAscii, containsCString, fileOffsetToVaddr, hasSymbolNamed, isPreloadable, loaderFamily, parseElf,
  parseElfIdentity, PT_LOAD, readElfFile, readElfIdentity, vaddrToFileOffset,
} from "../../src/elf/index.js";
import { buildExample, REPO_ROOT } from "../helpers/examples.js";
import { readelfFacts } from "./readelf.js";

const LIB_DIR = "/usr/lib/x86_64-linux-gnu";
const JEMALLOC = `${LIB_DIR}/libjemalloc.so.2`;
const GO_TOOL = "/usr/lib/go/pkg/tool/linux_amd64/addr2line";
const GO_ELF_TESTDATA = "/usr/lib/go/src/debug/elf/testdata";
const BUILD_DIR = join(REPO_ROOT, "test", ".build");

function expectMatchesReadelf(path: string): void {
  const { elf } = readElfFile(path);
  const facts = readelfFacts(path);
  expect(elf.bits).toBe(facts.bits);
  expect(elf.endianness).toBe(facts.endianness);
  expect(elf.type).toBe(facts.type);
  expect(elf.interpreter).toBe(facts.interpreter);
  expect(elf.needed).toEqual(facts.needed);
  expect(elf.soname).toBe(facts.soname);
  expect(elf.buildId).toBe(facts.buildId);
  expect(elf.sections.slice(1).map((section) => section.name)).toEqual(facts.sectionNames);
  const loads = elf.programHeaders.filter((header) => header.type === PT_LOAD);
  expect(loads.map(({ offset, vaddr, filesz, memsz }) => ({ offset, vaddr, filesz, memsz }))).toEqual(facts.loadSegments);
}

/** A 32-bit x86 shared object linked without libc (no 32-bit libgcc on this machine). */
function build32BitLibrary(): string {
  const library = join(BUILD_DIR, "libelf32.so");
  if (existsSync(library)) return library;
  mkdirSync(BUILD_DIR, { recursive: true });
  // Private names per process, renamed into place: parallel workers never see partial files.
  const partial = join(BUILD_DIR, `elf32-${process.pid}`);
  writeFileSync(`${partial}.c`, "int answer(int x) { return x * 42; }\nint twice(int x) { return x + x; }\n");
  execFileSync("gcc", ["-m32", "-fPIC", "-O1", "-c", `${partial}.c`, "-o", `${partial}.o`]);
  execFileSync("ld", ["-m", "elf_i386", "-shared", "-soname", "libelf32.so.1", "-o", `${partial}.so`, `${partial}.o`]);
  renameSync(`${partial}.so`, library);
  rmSync(`${partial}.c`);
  rmSync(`${partial}.o`);
  return library;
}

describe("parseElf on programs built here", () => {
  it("reads a default (PIE) build as a preloadable glibc ET_DYN with DF_1_PIE", () => {
    const { elf } = readElfFile(buildExample("leak"));
    expect(elf).toMatchObject({ type: "dyn", isPie: true, isStatic: false, hasSymtab: true, hasDebugInfo: true, isGo: false });
    expect(elf.interpreter).toBe("/lib64/ld-linux-x86-64.so.2");
    expect(elf.machineName).toBe("x86-64");
    expect(isPreloadable(elf)).toBe(true);
    expect(loaderFamily(elf)).toBe("glibc");
  });

  it("reads a -no-pie build as ET_EXEC without DF_1_PIE", () => {
    const { elf } = readElfFile(buildExample("leak", { flags: ["-no-pie"] }));
    expect(elf).toMatchObject({ type: "exec", isPie: false, isStatic: false });
    expect(isPreloadable(elf)).toBe(true);
  });

  it("reports a -static build as static and not preloadable", () => {
    const { elf } = readElfFile(buildExample("leak", { flags: ["-static"] }));
    expect(elf).toMatchObject({ type: "exec", isStatic: true, interpreter: undefined, needed: [] });
    expect(isPreloadable(elf)).toBe(false);
    expect(loaderFamily(elf)).toBe("unknown");
  });

  it("reports a -static-pie build as a static PIE: ET_DYN, DF_1_PIE, no PT_INTERP", () => {
    const { elf } = readElfFile(buildExample("leak", { flags: ["-static-pie"] }));
    expect(elf).toMatchObject({ type: "dyn", isPie: true, isStatic: true, interpreter: undefined });
    expect(isPreloadable(elf)).toBe(false);
  });

  it("sees no .symtab and no debug info in a stripped build", () => {
    const { elf } = readElfFile(buildExample("leak", { strip: true }));
    expect(elf).toMatchObject({ hasSymtab: false, hasDebugInfo: false, isPie: true });
  });

  it.each([
    ["a PIE example", () => buildExample("leak")],
    ["a -no-pie example", () => buildExample("churn", { flags: ["-no-pie"] })],
    ["a -static example", () => buildExample("leak", { flags: ["-static"] })],
    ["libjemalloc.so.2", () => JEMALLOC],
    ["libtcmalloc.so.4", () => `${LIB_DIR}/libtcmalloc.so.4`],
    ["/bin/ls", () => "/bin/ls"],
    ["a Go tool binary", () => GO_TOOL],
    ["a 32-bit x86 shared object", build32BitLibrary],
  ])("agrees with readelf on headers, segments, dynamic section, build-id and section names of %s", (_label, path) => {
    expectMatchesReadelf(path());
  });
});

describe("parseElf on shared libraries", () => {
  it("reads libjemalloc's soname, NEEDED list and the build-id that readelf -n prints", () => {
    const { elf } = readElfFile(JEMALLOC);
    expect(elf.soname).toBe("libjemalloc.so.2");
    expect(elf.needed).toContain("libc.so.6");
    expect(elf.buildId).toBe(readelfFacts(JEMALLOC).buildId);
    expect(elf.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(elf).toMatchObject({ type: "dyn", isPie: false, isStatic: false, interpreter: undefined });
    expect(loaderFamily(elf)).toBe("glibc");
  });

  it("reads a 32-bit little-endian shared object", () => {
    const { elf } = readElfFile(build32BitLibrary());
    expect(elf).toMatchObject({ bits: 32, endianness: "little", machine: 3, machineName: "x86", soname: "libelf32.so.1" });
  });
});

describe("parseElf on big-endian and foreign-architecture objects (Go's debug/elf test data)", () => {
  const foreign = readdirSync(GO_ELF_TESTDATA).filter((name) => /^go-relocation-test-gcc.*\.obj$/.test(name));

  it.each(foreign)("agrees with readelf on %s", (name) => {
    expectMatchesReadelf(join(GO_ELF_TESTDATA, name));
  });

  it("names the machines and byte orders of s390x, SPARC V9, 32-bit PowerPC and AArch64 objects", () => {
    const identity = (name: string) => {
      const { bits, endianness, machineName } = readElfFile(join(GO_ELF_TESTDATA, name)).elf;
      return `${bits} ${endianness} ${machineName}`;
    };
    expect(identity("go-relocation-test-gcc531-s390x.obj")).toBe("64 big S/390");
    expect(identity("go-relocation-test-gcc620-sparc64.obj")).toBe("64 big SPARC V9");
    expect(identity("go-relocation-test-gcc5-ppc.obj")).toBe("32 big PowerPC");
    expect(identity("go-relocation-test-gcc482-aarch64.obj")).toBe("64 little AArch64");
  });
});

describe("Go binaries", () => {
  it("recognises a Go tool as static Go code and reads the toolchain version that `go version` prints", () => {
    const { elf } = readElfFile(GO_TOOL);
    const reported = execFileSync("go", ["version", GO_TOOL], { encoding: "utf8" }).trim().split(": ")[1];
    expect(elf.isGo).toBe(true);
    expect(elf.isStatic).toBe(true);
    expect(elf.goVersion).toBe(reported);
  });

  it("does not call a C program Go", () => {
    expect(readElfFile(buildExample("leak")).elf).toMatchObject({ isGo: false, goVersion: undefined });
  });
});

describe("fileOffsetToVaddr", () => {
  it("maps a file offset through libjemalloc's RW segment, where p_vaddr differs from p_offset", () => {
    const { elf } = readElfFile(JEMALLOC);
    const rw = readelfFacts(JEMALLOC).loadSegments.find((segment) => segment.vaddr !== segment.offset);
    expect(rw).toBeDefined();
    if (rw === undefined) return;
    expect(fileOffsetToVaddr(elf, rw.offset + 0x10)).toBe(rw.vaddr + 0x10);
    expect(vaddrToFileOffset(elf, rw.vaddr + 0x10)).toBe(rw.offset + 0x10);
  });

  it("returns undefined for an offset no PT_LOAD covers", () => {
    const { elf, buffer } = readElfFile(JEMALLOC);
    expect(fileOffsetToVaddr(elf, buffer.length + 4096)).toBeUndefined();
  });

  it("is the identity for offsets in a non-PIE executable's text below its load address", () => {
    const { elf } = readElfFile(buildExample("leak", { flags: ["-no-pie"] }));
    const text = elf.sections.find((section) => section.name === ".text");
    expect(text).toBeDefined();
    if (text === undefined) return;
    expect(fileOffsetToVaddr(elf, text.offset)).toBe(text.addr);
  });
});

describe("string and symbol fingerprints", () => {
  it("finds jemalloc's heap_v2/%lu format string only in libjemalloc (tcmalloc has its own heap_v2/%d)", () => {
    const jemalloc = readElfFile(JEMALLOC).buffer;
    const tcmalloc = readElfFile(`${LIB_DIR}/libtcmalloc.so.4`).buffer;
    const mimalloc = readElfFile(`${LIB_DIR}/libmimalloc.so.2`).buffer;
    expect(containsAscii(jemalloc, "heap_v2/%lu")).toBe(true);
    expect(containsAscii(tcmalloc, "heap_v2/%lu")).toBe(false);
    expect(containsAscii(tcmalloc, "heap_v2/%d")).toBe(true);
    expect(containsAscii(mimalloc, "heap_v2/")).toBe(false);
  });

  it("tells a whole C string from the tail of a longer one", () => {
    const buffer = Buffer.from("\0_RJEM_MALLOC_CONF\0other\0", "latin1");
    expect(containsAscii(buffer, "MALLOC_CONF")).toBe(true);
    expect(containsCString(buffer, "MALLOC_CONF")).toBe(false);
    expect(containsCString(buffer, "_RJEM_MALLOC_CONF")).toBe(true);
  });

  it("finds mallocx in libjemalloc's dynamic symbols but no _rjem_ prefixed symbol", () => {
    const { elf, buffer } = readElfFile(JEMALLOC);
    expect(hasSymbolNamed(elf, buffer, "mallocx")).toBe(true);
    expect(hasSymbolNamed(elf, buffer, "_rjem_malloc")).toBe(false);
    expect(hasSymbolNamed(elf, buffer, "mallo")).toBe(false);
  });
});

describe("loaderFamily", () => {
  it("recognises musl from its loader path or its libc dependency", () => {
    expect(loaderFamily({ interpreter: "/lib/ld-musl-x86_64.so.1", needed: [] })).toBe("musl");
    expect(loaderFamily({ interpreter: undefined, needed: ["libc.musl-x86_64.so.1"] })).toBe("musl");
  });

  it("recognises glibc loaders of x86, AArch64 and PowerPC64", () => {
    for (const interpreter of ["/lib/ld-linux.so.2", "/lib/ld-linux-aarch64.so.1", "/lib64/ld64.so.2"]) {
      expect(loaderFamily({ interpreter, needed: [] })).toBe("glibc");
    }
  });
});

describe("invalid input", () => {
  it("rejects a non-ELF file with an input error naming the file and offset 0", () => {
    const error = captureError(() => parseElf(Buffer.from("#!/bin/sh\necho hi\n"), "script.sh"));
    expect(error).toBeInstanceOf(AllocrunError);
    expect(error).toMatchObject({ kind: "input" });
    expect((error as Error).message).toMatch(/^script\.sh is not an ELF file .*offset 0x0/);
  });

  it("rejects a header cut short with the offset it needed", () => {
    const head = readElfFile(JEMALLOC).buffer.subarray(0, 20);
    const error = captureError(() => parseElf(head, "cut.so"));
    expect(error).toMatchObject({ kind: "input" });
    expect((error as Error).message).toMatch(/^cut\.so is truncated .* at offset 0x/);
  });

  it("reports a missing file as an input error naming it", () => {
    expect(captureError(() => readElfFile("/nonexistent/libnothing.so"))).toMatchObject({
      kind: "input",
      message: "/nonexistent/libnothing.so does not exist",
    });
  });

  it("reads the identity of a library from its first 64 bytes", () => {
    expect(readElfIdentity(JEMALLOC)).toMatchObject({ bits: 64, machineName: "x86-64", type: "dyn" });
    expect(parseElfIdentity(readElfFile(JEMALLOC).buffer.subarray(0, 64))).toMatchObject({ bits: 64 });
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to throw");
}
