import { describe, expect, it } from "vitest";
import { assignFolderNames, parseVariant, parseVariantList } from "../../src/compare/variants.js";
import { isAllocrunError } from "../../src/core/errors.js";

function usageMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isAllocrunError(error) && error.kind === "usage") return `${error.message} — ${error.hint ?? ""}`;
    throw error;
  }
  throw new Error("expected a usage error");
}

describe("variant syntax", () => {
  it("reads options, presets and short flags after the allocator, in order", () => {
    expect(parseVariant("jemalloc+narenas=1+dirty_decay_ms=0+stats+jemalloc-prof")).toEqual({
      label: "jemalloc+narenas=1+dirty_decay_ms=0+stats+jemalloc-prof",
      allocator: "jemalloc",
      steps: [
        { kind: "conf", text: "narenas=1" },
        { kind: "conf", text: "dirty_decay_ms=0" },
        { kind: "flag", flag: "stats" },
        { kind: "preset", name: "jemalloc-prof" },
      ],
    });
  });

  it("splits a comma list, trims spaces, and accepts several -a values", () => {
    const labels = parseVariantList(["glibc, glibc+arena_max=2", "tcmalloc"]).map((v) => v.label);
    expect(labels).toEqual(["glibc", "glibc+arena_max=2", "tcmalloc"]);
  });

  it("suggests the allocator meant by a typo", () => {
    expect(usageMessage(() => parseVariant("jemaloc+narenas=1"))).toMatch(/unknown allocator "jemaloc".*did you mean "jemalloc"/);
  });

  it("rejects an empty modifier, a missing option name and a repeated variant", () => {
    expect(usageMessage(() => parseVariant("glibc++arena_max=2"))).toMatch(/empty "\+" modifier/);
    expect(usageMessage(() => parseVariant("glibc+=2"))).toMatch(/no option name/);
    expect(usageMessage(() => parseVariantList(["glibc,tcmalloc,glibc"]))).toMatch(/"glibc" is listed twice/);
    expect(usageMessage(() => parseVariant("+stats"))).toMatch(/has no allocator/);
  });

  it("names run folders after the labels, keeping them distinct and path-safe", () => {
    expect(assignFolderNames(["glibc+arena_max=2", "a/b", "a:b", "..x"])).toEqual(["glibc+arena_max=2", "a_b", "a_b~2", "_x"]);
  });
});
