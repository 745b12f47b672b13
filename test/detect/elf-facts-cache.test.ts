// The ELF facts cache: answers come back only while the file is the one they were learnt
// from; anything else (a changed, replaced or touched file, a corrupt entry, no folder)
// means reading the file again.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ElfFactsCache } from "../../src/detect/elf-facts-cache.js";
import { readElfFile } from "../../src/elf/index.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();
const TRUE = "/usr/bin/true";
const parse = (path: string) => () => readElfFile(path).elf;
const mustNotRead = () => {
  throw new Error("read the file although its facts were cached");
};

/** A copy of /usr/bin/true to change, and an empty cache folder. */
function setUp(): { program: string; cache: ElfFactsCache; folder: string } {
  const directory = temp.makeSync("allocrun-elf-facts-test-");
  const program = join(directory, "true");
  copyFileSync(TRUE, program);
  const folder = join(directory, "cache");
  return { program, cache: new ElfFactsCache(folder), folder };
}

/** Learns the headers and one answer of `program`, and saves them. */
function learn(cache: ElfFactsCache, program: string, answer: boolean | string | null = "learnt"): void {
  const facts = cache.open(program);
  facts.elf(parse(program));
  facts.remember("question", answer);
  facts.save();
}

describe("ElfFactsCache", () => {
  it("answers from its entry while the file is unchanged, named by the path asked", () => {
    const { program, cache } = setUp();
    learn(cache, program);
    const facts = cache.open(program);
    expect(facts.elf(mustNotRead)).toEqual(readElfFile(program).elf);
    expect(facts.known("question")).toBe("learnt");
    expect(facts.answer("question", mustNotRead)).toBe("learnt");
    expect(facts.known("another question")).toBeUndefined();
  });

  it("drops other builds' folders unchanged for 30 days when it makes its own, and keeps recent ones", () => {
    const root = temp.makeSync("allocrun-elf-facts-prune-");
    const program = join(root, "true");
    copyFileSync(TRUE, program);
    const old = join(root, "elf-facts-0000000000000000");
    const recent = join(root, "elf-facts-1111111111111111");
    const other = join(root, "symbols");
    for (const folder of [old, recent, other]) mkdirSync(folder);
    writeFileSync(join(old, "1-2.json"), "{}");
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    for (const path of [old, other]) utimesSync(path, longAgo, longAgo);
    utimesSync(recent, new Date(Date.now() - 29 * 24 * 3600 * 1000), new Date(Date.now() - 29 * 24 * 3600 * 1000));
    learn(new ElfFactsCache(join(root, "elf-facts-2222222222222222")), program);
    expect(readdirSync(root).sort()).toEqual(["elf-facts-1111111111111111", "elf-facts-2222222222222222", "symbols", "true"]);
    // Only when it makes its folder: a later save leaves a newly aged folder alone.
    mkdirSync(old);
    utimesSync(old, longAgo, longAgo);
    learn(new ElfFactsCache(join(root, "elf-facts-2222222222222222")), program, "again");
    expect(existsSync(old)).toBe(true);
  });

  it("keeps a null answer as an answer", () => {
    const { program, cache } = setUp();
    learn(cache, program, null);
    expect(cache.open(program).answer("question", () => "computed again")).toBeNull();
  });

  it("never answers for a file rewritten in place with the same size and modification time", () => {
    const { program, cache } = setUp();
    const stamp = new Date("2024-01-02T03:04:05Z"); // whole seconds: utimes sets them exactly
    utimesSync(program, stamp, stamp);
    learn(cache, program);
    const before = statSync(program, { bigint: true });
    const bytes = readFileSync(program);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // same size, other content
    writeFileSync(program, bytes);
    utimesSync(program, stamp, stamp); // and the same modification time
    const after = statSync(program, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    const facts = cache.open(program);
    expect(facts.knownElf()).toBeUndefined();
    expect(facts.known("question")).toBeUndefined();
  });

  it("never answers for a file replaced by another (a new inode at the same path)", () => {
    const { program, cache } = setUp();
    learn(cache, program);
    const replacement = `${program}.new`;
    copyFileSync(TRUE, replacement);
    renameSync(replacement, program);
    expect(cache.open(program).known("question")).toBeUndefined();
  });

  it("treats a corrupt entry as a miss and writes a good one over it", () => {
    const { program, cache, folder } = setUp();
    learn(cache, program);
    const [entry] = readdirSync(folder);
    writeFileSync(join(folder, entry!), '{"format":1,"answers":');
    expect(cache.open(program).known("question")).toBeUndefined();
    learn(cache, program, "again");
    expect(cache.open(program).known("question")).toBe("again");
  });

  it("works without a usable folder: it remembers for its own lifetime and writes nothing", () => {
    const { program, folder } = setUp();
    writeFileSync(folder, "a file where the cache folder would go");
    for (const cache of [new ElfFactsCache(folder), new ElfFactsCache(undefined)]) {
      const facts = cache.open(program);
      expect(facts.answer("question", () => "computed")).toBe("computed");
      expect(facts.answer("question", mustNotRead)).toBe("computed");
      facts.save();
      expect(cache.open(program).known("question")).toBeUndefined();
    }
  });
});
