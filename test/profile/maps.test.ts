import { describe, expect, it } from "vitest";
import { findMapping, parseMaps } from "../../src/profile/maps.js";

// Kernel layout (jemalloc copies /proc/self/maps verbatim), trimmed from a real dump.
const KERNEL_MAPS = `555555554000-555555555000 r--p 00000000 fe:00 5317010                    /srv/demo/leak
555555555000-555555556000 r-xp 00001000 fe:00 5317010                    /srv/demo/leak
555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]
7ffff2f00000-7ffff4200000 rw-p 00000000 00:00 0 
7ffff7c09000-7ffff7caf000 r-xp 00009000 fe:00 5595221                    /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7ffff7fc3000-7ffff7fc5000 r-xp 00000000 00:00 0                          [vdso]
7ffff7fd0000-7ffff7fd1000 r-xp 00000000 fe:00 42                         /tmp/my lib.so (deleted)
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

// gperftools' printf layout: "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %-11ld %s".
const GPERFTOOLS_MAPS = `00400000-00401000 r-xp 00000000 00:00 1531912     /srv/demo/static
7f4624c45000-7f4624c9a000 r-xp 00026000 00:00 5595215     /usr/lib/x86_64-linux-gnu/libc.so.6
`;

describe("parseMaps", () => {
  it("keeps every named mapping with its permissions, offset and path, and drops anonymous ones", () => {
    const { mappings, ignoredLineCount } = parseMaps(KERNEL_MAPS);
    expect(ignoredLineCount).toBe(0);
    expect(mappings.map((m) => [m.id, m.file, m.isExecutable])).toEqual([
      [1, "/srv/demo/leak", false],
      [2, "/srv/demo/leak", true],
      [3, "[heap]", false],
      [4, "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", true],
      [5, "[vdso]", true],
      [6, "/tmp/my lib.so (deleted)", true],
    ]);
    expect(mappings[3]).toMatchObject({ start: 0x7ffff7c09000, limit: 0x7ffff7caf000, offset: 0x9000 });
  });

  it("leaves out [vsyscall], whose addresses a number cannot hold exactly", () => {
    expect(parseMaps(KERNEL_MAPS).mappings.some((m) => m.file === "[vsyscall]")).toBe(false);
  });

  it("reads gperftools' formatting the same way", () => {
    expect(parseMaps(GPERFTOOLS_MAPS).mappings).toEqual([
      { id: 1, start: 0x400000, limit: 0x401000, offset: 0, file: "/srv/demo/static", isExecutable: true },
      { id: 2, start: 0x7f4624c45000, limit: 0x7f4624c9a000, offset: 0x26000, file: "/usr/lib/x86_64-linux-gnu/libc.so.6", isExecutable: true },
    ]);
  });

  it("reads cooked lines with offsets and build ids, sorted by start", () => {
    const { mappings } = parseMaps("7f00-7fff: /lib/b.so (@200) ABCDEF12\n1000-2000: /bin/a\n");
    expect(mappings).toEqual([
      { id: 1, start: 0x1000, limit: 0x2000, offset: 0, file: "/bin/a", isExecutable: true },
      { id: 2, start: 0x7f00, limit: 0x7fff, offset: 0x200, file: "/lib/b.so", isExecutable: true, buildId: "abcdef12" },
    ]);
  });

  it("substitutes $build from a build= line in the paths that follow", () => {
    const { mappings } = parseMaps("1000-2000: $build/a\nbuild=/out\n3000-4000: $build/b\n");
    expect(mappings.map((m) => m.file)).toEqual(["$build/a", "/out/b"]);
  });

  it("counts lines it does not understand and drops duplicate lines", () => {
    const line = "00400000-00401000 r-xp 00000000 00:00 1 /bin/x";
    const { mappings, ignoredLineCount } = parseMaps(`${line}\n${line}\nsomething else\n00400000-0040\n`);
    expect(mappings).toHaveLength(1);
    expect(ignoredLineCount).toBe(2);
  });
});

describe("findMapping", () => {
  const { mappings } = parseMaps(KERNEL_MAPS);

  it("finds the mapping whose range holds the address, start inclusive, limit exclusive", () => {
    expect(findMapping(mappings, 0x555555555000)?.id).toBe(2);
    expect(findMapping(mappings, 0x555555555fff)?.id).toBe(2);
    expect(findMapping(mappings, 0x555555556000)).toBeUndefined();
    expect(findMapping(mappings, 0x7ffff7c22045)?.file).toBe("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
  });

  it("finds nothing below the first mapping, in gaps, or in an empty list", () => {
    expect(findMapping(mappings, 0x1000)).toBeUndefined();
    expect(findMapping(mappings, 0x7ffff2f00000)).toBeUndefined();
    expect(findMapping([], 0x1000)).toBeUndefined();
  });
});

describe("parseMaps on pathological lines", () => {
  // A regular expression that backtracks on these would not return before the test timeout.
  const spaces = " ".repeat(300_000);

  it("reads a kernel line whose path is followed by a huge run of spaces", () => {
    const { mappings } = parseMaps(`00400000-00401000 r-xp 00000000 00:00 1 /bin/x${spaces}y\n`);
    expect(mappings[0]?.file).toBe(`/bin/x${spaces}y`);
  });

  it("ignores cooked and assignment lines broken by a huge run of spaces", () => {
    const token = "a".repeat(100_000);
    const { mappings, ignoredLineCount } = parseMaps(`1000-2000: /${token}${spaces}y z\nname${spaces}x\n`);
    expect(mappings).toEqual([]);
    expect(ignoredLineCount).toBe(2);
  });
});
