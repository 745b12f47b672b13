// On-disk cache of symbolization results, so a second analysis of the same binaries does
// not read their symbol tables or start addr2line again. Two kinds of entries:
//   objects/<hash of path+size+mtime+inode>.json  what the ELF headers said (build-id, PT_LOADs)
//   symbols/<build-id or that hash>.<backend>.json  resolved frames per vaddr
// Build-ids make copies of one binary share an entry; the stat hash catches rebuilds of
// binaries without one. Corrupt or foreign entries are ignored and rewritten.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CACHE_FORMAT = 2;

export interface Segment {
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ObjectMeta {
  buildId: string | undefined;
  segments: Segment[];
  /** .symtab present, or a debug file supplies one. */
  hasSymtab: boolean;
  /** DWARF available (in the object or its debug file). */
  hasDebugInfo: boolean;
  /** The separate debug file in use, if any. */
  debugFile: string | undefined;
  /** Addresses DWARF covers (.debug_aranges); undefined when unknown (send everything). */
  dwarfRanges?: [number, number][];
  /**
   * Where .eh_frame (and .eh_frame_hdr) lie, so warm runs read only them; null: no unwind
   * tables; absent in caches written before it was recorded.
   */
  unwindSections?: UnwindSections | null;
}

/** A section's place in the file and in memory. */
export interface SectionPlace {
  offset: number;
  addr: number;
  size: number;
}

export interface UnwindSections {
  frame: SectionPlace;
  header?: SectionPlace;
  littleEndian: boolean;
  is64: boolean;
}

/** [function, file, line]; an empty list means "no symbol covers this address". */
export type CachedFrame = [string, string, number];
export type CachedFrames = Record<string, CachedFrame[]>;

export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export function statStamp(path: string): FileStamp | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? { path, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino } : undefined;
  } catch {
    return undefined;
  }
}

const digest = (text: string) => createHash("sha1").update(text).digest("hex");
export const stampKey = (stamp: FileStamp) => digest(`${stamp.path}\0${stamp.size}\0${stamp.mtimeMs}\0${stamp.ino}`);

export class SymbolCache {
  /** `directory` undefined disables the cache (reads miss, writes are dropped). */
  constructor(readonly directory: string | undefined) {}

  readMeta(stamp: FileStamp): ObjectMeta | undefined {
    return this.read<ObjectMeta>(this.metaPath(stamp));
  }

  writeMeta(stamp: FileStamp, meta: ObjectMeta): void {
    this.write(this.metaPath(stamp), meta);
  }

  readFrames(symbolKey: string): CachedFrames {
    return this.read<CachedFrames>(this.framesPath(symbolKey)) ?? {};
  }

  writeFrames(symbolKey: string, frames: CachedFrames): void {
    this.write(this.framesPath(symbolKey), frames);
  }

  /** Debian package owning each path (null: none), as recorded for the file's current stamp. */
  readPackageOwners(): Record<string, { stamp: string; owner: string | null }> {
    return this.read<Record<string, { stamp: string; owner: string | null }>>(this.packagesPath()) ?? {};
  }

  writePackageOwners(owners: Record<string, { stamp: string; owner: string | null }>): void {
    this.write(this.packagesPath(), owners);
  }

  private packagesPath(): string | undefined {
    return this.directory === undefined ? undefined : join(this.directory, "packages.json");
  }

  private metaPath(stamp: FileStamp): string | undefined {
    return this.directory === undefined ? undefined : join(this.directory, "objects", `${stampKey(stamp)}.json`);
  }

  private framesPath(symbolKey: string): string | undefined {
    return this.directory === undefined ? undefined : join(this.directory, "symbols", `${symbolKey.replace(/[^A-Za-z0-9._+-]/g, "_")}.json`);
  }

  private read<T>(path: string | undefined): T | undefined {
    if (path === undefined) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as { format?: number; data?: T };
      return parsed.format === CACHE_FORMAT ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private write(path: string | undefined, data: unknown): void {
    if (path === undefined) return;
    try {
      mkdirSync(join(path, ".."), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ format: CACHE_FORMAT, data }));
      renameSync(temporary, path);
    } catch {
      // A read-only or full cache directory only costs speed, never the analysis.
    }
  }
}
