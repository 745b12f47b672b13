// What the run path learns from ELF files (a program's headers and the target checks'
// answers about its bytes, an allocator library's headers and version), kept on disk so
// that the next run of the same files does not read and parse them again: ~10 ms each
// for a program and for libjemalloc on a 2-core machine (bench/startup.mjs).
//
// Entries live in a folder named by the hash of allocrun's sources (a new allocrun starts
// afresh). An entry is the file's identity: device and inode name it; size and the modification
// and change times in nanoseconds must match, so a rebuilt, replaced, touched or chmod'ed
// file misses (the change time cannot be set back by hand). Facts that depend on other
// files (a separate debug file, the PATH) are never stored here. A missing, unreadable,
// corrupt or foreign entry is a miss; writing is best effort (a read-only or full cache
// folder costs speed only).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { defaultCacheDirectory } from "../core/cache-directory.js";
import { pruneStaleCaches } from "../core/prune-stale-caches.js";
import { SOURCE_HASH } from "../core/source-hash.js";
import type { ElfFile } from "../elf/index.js";

/** The entry's layout; what the code concludes is covered by the folder's source hash. */
const FORMAT = 1;

export type FactAnswer = boolean | string | null;

interface Identity {
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

interface Entry extends Identity {
  format: number;
  elf?: Omit<ElfFile, "fileName">;
  answers: Record<string, FactAnswer>;
}

/**
 * $XDG_CACHE_HOME/allocrun/elf-facts-<hash of the sources> (else ~/.cache/…): what this
 * build concluded. Running from source (no hash) caches nothing.
 */
export function defaultElfFactsCache(env: NodeJS.ProcessEnv = process.env): ElfFactsCache {
  return new ElfFactsCache(SOURCE_HASH === undefined ? undefined : join(defaultCacheDirectory(env), `elf-facts-${SOURCE_HASH}`));
}

export class ElfFactsCache {
  /** `directory` undefined: nothing is read or written (every file gets fresh facts). */
  constructor(readonly directory: string | undefined) {}

  /** The facts of the file at `path` as it is now. */
  open(path: string): FileFacts {
    const stats = this.directory === undefined ? undefined : statOrUndefined(path);
    if (stats === undefined || this.directory === undefined) return new FileFacts(path, undefined, undefined);
    const identity: Identity = { size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs) };
    const entryPath = join(this.directory, `${stats.dev}-${stats.ino}.json`);
    return new FileFacts(path, { entryPath, identity }, readEntry(entryPath, identity));
  }
}

/** One file's facts: answered from the cache entry, else computed (kept in memory, and
 * on disk at save()). Without a cache folder it remembers for its own lifetime only. */
export class FileFacts {
  readonly #entry: Entry;
  #changed = false;

  constructor(
    readonly path: string,
    private readonly store: { entryPath: string; identity: Identity } | undefined,
    cached: Entry | undefined,
  ) {
    this.#entry = cached ?? { format: FORMAT, size: "", mtimeNs: "", ctimeNs: "", ...store?.identity, answers: {} };
  }

  /** The cached headers, named by this path; undefined when not known yet. */
  knownElf(): ElfFile | undefined {
    const stored = this.#entry.elf;
    return stored === undefined ? undefined : { ...stored, fileName: this.path };
  }

  rememberElf(elf: ElfFile): void {
    const { fileName: _fileName, ...rest } = elf;
    this.#entry.elf = rest;
    this.#changed = true;
  }

  /** The file's parsed headers: cached, else read by `read` and remembered. */
  elf(read: () => ElfFile): ElfFile {
    const known = this.knownElf();
    if (known !== undefined) return known;
    const elf = read();
    this.rememberElf(elf);
    return elf;
  }

  /** The remembered answer to `key`, else undefined. */
  known(key: string): FactAnswer | undefined {
    return this.#entry.answers[key];
  }

  remember(key: string, answer: FactAnswer): void {
    if (this.#entry.answers[key] === answer) return;
    this.#entry.answers[key] = answer;
    this.#changed = true;
  }

  answer<T extends FactAnswer>(key: string, compute: () => T): T {
    const known = this.known(key);
    if (known !== undefined) return known as T;
    const answer = compute();
    this.remember(key, answer);
    return answer;
  }

  /** Writes what was learnt since the entry was read; a no-op when nothing was. */
  save(): void {
    if (!this.#changed || this.store === undefined) return;
    this.#changed = false;
    const temporary = `${this.store.entryPath}.${process.pid}.tmp`;
    try {
      const folder = join(this.store.entryPath, "..");
      // Made now: this build's first entry, the moment to drop other builds' old folders.
      if (mkdirSync(folder, { recursive: true }) !== undefined) pruneStaleCaches(join(folder, ".."), "elf-facts-", basename(folder));
      writeFileSync(temporary, JSON.stringify(this.#entry));
      renameSync(temporary, this.store.entryPath); // whole or absent, even with runs in parallel
    } catch {
      // Speed only: the next run reads the file again.
    }
  }
}

function statOrUndefined(path: string) {
  try {
    const stats = statSync(path, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function readEntry(entryPath: string, identity: Identity): Entry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(entryPath, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const entry = parsed as Partial<Entry>;
  const matches = entry.format === FORMAT && entry.size === identity.size && entry.mtimeNs === identity.mtimeNs && entry.ctimeNs === identity.ctimeNs;
  if (!matches || typeof entry.answers !== "object" || entry.answers === null) return undefined;
  if (entry.elf !== undefined && (typeof entry.elf !== "object" || entry.elf === null || !Array.isArray(entry.elf.sections))) return undefined;
  return entry as Entry;
}
