// Collects the TargetFacts for a program: its ELF file (or a script's interpreter), file
// mode and owner, and a way to ask about its bytes. Two depths: "headers" reads only
// what the checks need with positioned reads (the `run` hot path); "whole" reads the
// file so symbol tables and every string can be searched (`allocrun doctor`).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { containsAscii, hasSymbolNamed, readElfFile, readFunctionSymbols, type ElfFile } from "../../elf/index.js";
import { findDebugFile } from "../debug-file.js";
import { ElfFactsCache, type FileFacts } from "../elf-facts-cache.js";
import { indexDynamicSymbols, type DynamicSymbols } from "./dynamic-symbols.js";
import { findStringsInReadOnlyData, readElfHeaders, type ElfHeaders } from "./read-elf-headers.js";
import { resolveScriptInterpreter } from "./script-interpreter.js";
import type { TargetContent, TargetFacts } from "./target-facts.js";

export interface GatherOptions {
  /** The program as the user typed it, for messages. */
  shownName: string;
  depth: "headers" | "whole";
  /** PATH, for `#!/usr/bin/env NAME`. */
  pathVariable: string | undefined;
  runner: { uid: number; gid: number };
  /** Reads the security.capability attribute; omitted on the run path (it costs a process). */
  readFileCapabilities?: (path: string) => boolean | undefined;
  /** "headers" depth: answers kept from earlier runs of the same file (the run path). */
  elfFacts?: ElfFactsCache;
}

export type GatheredTarget =
  /** saveFacts() keeps what the checks learnt in the ELF facts cache, if one was given. */
  | { kind: "elf"; facts: TargetFacts; saveFacts(): void }
  /** A "#!" script whose interpreter could not be found or is no ELF file. */
  | { kind: "script-without-elf-interpreter"; path: string }
  /** Neither ELF nor "#!" script: execve fails with ENOEXEC, shells run it as a sh script. */
  | { kind: "not-elf"; path: string };

const ELF_MAGIC = "\x7fELF";
const NO_ELF_FACTS_CACHE = new ElfFactsCache(undefined);
/**
 * The run path scans at most this much read-only data for embedded-allocator strings
 * (about 1 ms per MiB); larger programs are left to `allocrun doctor`, which reads all.
 */
const HEADERS_SCAN_MAX_BYTES = 16 * 1024 * 1024;

export function gatherTarget(path: string, options: GatherOptions): GatheredTarget {
  const script = resolveScriptInterpreter(path, options.pathVariable);
  const elfPath = script === undefined ? path : script.interpreter;
  if (elfPath === undefined || !startsWithElfMagic(elfPath)) {
    return script === undefined ? { kind: "not-elf", path } : { kind: "script-without-elf-interpreter", path };
  }
  const fileFacts = options.depth === "whole" ? undefined : (options.elfFacts ?? NO_ELF_FACTS_CACHE).open(elfPath);
  const { elf, content } = fileFacts === undefined ? readWhole(elfPath) : readHeaders(elfPath, fileFacts);
  const stat = statSync(elfPath);
  return {
    kind: "elf",
    saveFacts: () => fileFacts?.save(),
    facts: {
      shownName: options.shownName,
      path: elfPath,
      script: script === undefined ? undefined : { path, interpreter: elfPath },
      elf,
      file: { mode: stat.mode, uid: stat.uid, gid: stat.gid },
      runner: options.runner,
      hasFileCapabilities: options.readFileCapabilities?.(elfPath),
      separateDebugFile: findDebugFile(elfPath, elf.buildId),
      content,
    },
  };
}

function startsWithElfMagic(path: string): boolean {
  try {
    return readHeadBytes(path) === ELF_MAGIC;
  } catch {
    return false;
  }
}

function readHeadBytes(path: string): string {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    return head.toString("latin1", 0, readSync(fd, head, 0, 4, 0));
  } finally {
    closeSync(fd);
  }
}

function readWhole(path: string): { elf: ElfFile; content: TargetContent } {
  const { elf, buffer } = readElfFile(path);
  let defined: Set<string> | undefined;
  return {
    elf,
    content: {
      findStrings: (texts) => new Set(texts.filter((text) => containsAscii(buffer, text))),
      definesFunction: (name) => (defined ??= new Set(readFunctionSymbols(elf, buffer).map((symbol) => symbol.name))).has(name),
      mentionsSymbol: (name) => hasSymbolNamed(elf, buffer, name),
    },
  };
}

/** Reads the headers only when an answer is not among `facts` (kept from an earlier run). */
function readHeaders(path: string, facts: FileFacts): { elf: ElfFile; content: TargetContent } {
  let headers: ElfHeaders | undefined;
  const readNow = (): ElfHeaders => (headers ??= readElfHeaders(path));
  const elf = facts.elf(() => readNow().elf);
  let dynamicSymbols: DynamicSymbols | undefined | null = null;
  const symbols = (): DynamicSymbols | undefined => (dynamicSymbols === null ? (dynamicSymbols = indexDynamicSymbols(elf, readNow().buffer)) : dynamicSymbols);
  const stringKey = (text: string) => `rodata:${text}`;
  return {
    elf,
    content: {
      findStrings: (texts) => {
        const unknown = texts.filter((text) => facts.known(stringKey(text)) === undefined);
        const found = unknown.length === 0 ? new Set<string>() : findStringsInReadOnlyData(path, elf, unknown, HEADERS_SCAN_MAX_BYTES);
        for (const text of unknown) facts.remember(stringKey(text), found.has(text));
        return new Set(texts.filter((text) => facts.known(stringKey(text)) === true));
      },
      // Only .dynsym holds real bytes in the header buffer: what the program exports or imports.
      definesFunction: (name) => facts.answer(`defines:${name}`, () => symbols()?.defines(name) ?? false),
      mentionsSymbol: (name) => facts.answer(`mentions:${name}`, () => symbols()?.mentions(name) ?? false),
    },
  };
}
