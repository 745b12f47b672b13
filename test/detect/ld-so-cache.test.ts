import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLdSoCache, readLdSoCache } from "../../src/detect/ld-so-cache.js";
import { parseLdconfigCache, readLdconfigCache } from "../../src/detect/ldconfig.js";

const describeEntry = (e: { soname: string; type: string; abi: string | undefined; hwcap: string | undefined; path: string }) =>
  `${e.soname}|${e.type}|${e.abi}|${e.hwcap !== undefined}|${e.path}`;

describe("reading /etc/ld.so.cache natively", () => {
  it("lists exactly what `ldconfig -p` prints on this machine", () => {
    const native = readLdSoCache();
    const text = readLdconfigCache();
    expect(native).toBeDefined();
    expect(text).toBeDefined();
    expect(new Set(native!.map(describeEntry))).toEqual(new Set(parseLdconfigCache(text!).map(describeEntry)));
    expect(native!.some((e) => e.soname === "libc.so.6" && e.abi === "x86-64")).toBe(true);
  });

  it("decodes only the asked-for sonames when given some", () => {
    const all = readLdSoCache()!;
    const some = readLdSoCache(undefined, ["libjemalloc.so.2", "libc.so.6"])!;
    expect(some.map(describeEntry).sort()).toEqual(all.filter((e) => e.soname === "libjemalloc.so.2" || e.soname === "libc.so.6").map(describeEntry).sort());
    expect(some.length).toBeGreaterThan(1);
  });

  it("declines a file that is not a loader cache, and a truncated one", () => {
    expect(parseLdSoCache(Buffer.from("not a cache at all"))).toBeUndefined();
    const real = readLdSoCache() === undefined ? undefined : readFileSync("/etc/ld.so.cache");
    if (real) expect(parseLdSoCache(real.subarray(0, 100))).toBeUndefined();
  });
});
