// Runs binutils readelf on a file and extracts the facts parseElf must agree with.
import { execFileSync } from "node:child_process";

export interface ReadelfFacts {
  bits: number;
  endianness: "little" | "big";
  type: string;
  loadSegments: { offset: number; vaddr: number; filesz: number; memsz: number }[];
  interpreter: string | undefined;
  needed: string[];
  soname: string | undefined;
  buildId: string | undefined;
  sectionNames: string[];
}

const readelf = (args: string[], path: string): string =>
  execFileSync("readelf", ["--wide", ...args, path], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

export function readelfFacts(path: string): ReadelfFacts {
  const header = readelf(["-h"], path);
  const segments = readelf(["-l"], path);
  const dynamic = readelf(["-d"], path);
  const notes = readelf(["-n"], path);
  const sections = readelf(["-S"], path);
  const TYPES: Record<string, string> = { EXEC: "exec", DYN: "dyn", REL: "rel", CORE: "core" };
  return {
    bits: /Class:\s+ELF64/.test(header) ? 64 : 32,
    endianness: /little endian/.test(header) ? "little" : "big",
    type: TYPES[/Type:\s+(\w+)/.exec(header)?.[1] ?? ""] ?? "unknown",
    loadSegments: [...segments.matchAll(/^\s+LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)].map((m) => ({
      offset: Number(m[1]), vaddr: Number(m[2]), filesz: Number(m[3]), memsz: Number(m[4]),
    })),
    interpreter: /\[Requesting program interpreter: (.+)\]/.exec(segments)?.[1],
    needed: [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1] as string),
    soname: /\(SONAME\)\s+Library soname: \[(.+)\]/.exec(dynamic)?.[1],
    buildId: /Build ID: ([0-9a-f]+)/.exec(notes)?.[1],
    sectionNames: [...sections.matchAll(/^\s+\[\s*(\d+)\]\s(\S*)/gm)].filter((m) => m[1] !== "0").map((m) => m[2] as string),
  };
}

/** Defined FUNC/IFUNC symbols as readelf -s prints them (both .symtab and .dynsym). */
export function readelfFunctionSymbols(path: string): { name: string; value: number; size: number }[] {
  const output = readelf(["-s", "--dyn-syms"], path);
  return [...output.matchAll(/^\s+\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(FUNC|IFUNC)\s+\w+\s+\w+\s+(\w+)\s+(\S+)/gm)]
    .filter((m) => m[4] !== "UND")
    .map((m) => ({ value: parseInt(m[1] as string, 16), size: Number(m[2]), name: (m[5] as string).replace(/@.*$/, "") }));
}
