import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeEnvPlan } from "../../src/presets/index.js";
import { catchError, loadTempCatalog, makeTempLayout, writePresets } from "./temp-preset-dirs.js";

/** The error of asking for preset `name` in a project folder holding `files`. */
function errorFor(files: Record<string, unknown>, name: string, allocator: "jemalloc" | "glibc" = "jemalloc") {
  const layout = makeTempLayout();
  writePresets(layout.projectDir, files);
  const catalog = loadTempCatalog(layout);
  return { ...catchError(() => composeEnvPlan(catalog, allocator, [{ kind: "preset", name }])), file: (n: string) => join(layout.projectDir, `${n}.json`) };
}

describe("malformed preset files", () => {
  it("report broken JSON with file, line and column", () => {
    const error = errorFor({ broken: '{\n  "description": "x",\n}\n' }, "broken");
    expect(error.kind).toBe("input");
    expect(error.message).toBe(`${error.file("broken")}:3:1: malformed JSON: Expected double-quoted property name`);
  });

  it("report truncated JSON at the end of the file", () => {
    const error = errorFor({ cut: '{\n  "description": "x",\n  "conf": {' }, "cut");
    expect(error.message).toMatch(new RegExp(`^${error.file("cut")}:3:12: malformed JSON`));
  });

  it('name the field when a conf value has the wrong type: field "conf.prof"', () => {
    const error = errorFor({ bad: { description: "x", allocator: "jemalloc", conf: { prof: { on: true } } } }, "bad");
    expect(error.kind).toBe("input");
    expect(error.message).toBe(`${error.file("bad")}: field "conf.prof" must be a string (numbers and true/false are accepted too)`);
  });

  it("reject an unknown field and suggest the one meant", () => {
    const error = errorFor({ typo: { descripton: "x" } }, "typo");
    expect(error.message).toBe(`${error.file("typo")}: unknown field "descripton" (did you mean "description"?)`);
    expect(error.hint).toContain("known fields: description, allocator, flag");
  });

  it("require a one-line description", () => {
    expect(errorFor({ none: { allocator: "jemalloc" } }, "none").message).toContain('field "description" is required');
    expect(errorFor({ two: { description: "a\nb" } }, "two").message).toContain('field "description" must be one line');
  });

  it("name the list element that is wrong", () => {
    expect(errorFor({ a: { description: "x", allocator: ["jemalloc", "jemaloc"] } }, "a").message).toContain(
      'field "allocator[1]" must be one of glibc, jemalloc, tcmalloc, tcmalloc-minimal, mimalloc, got "jemaloc" (did you mean "jemalloc"?)',
    );
    expect(errorFor({ p: { description: "x", preload: ["profiler", "jemalloc"] } }, "p").message).toContain('field "preload[1]" must be one of profiler, memusage');
    expect(errorFor({ f: { description: "x", flag: "profile" } }, "f").message).toContain('field "flag" must be one of prof, stats');
    expect(errorFor({ h: { description: "x", artifacts: [{ kind: "jemalloc-heap", glob: "a/*.heap" }] } }, "h").message).toContain('field "artifacts[0].glob"');
  });

  it("refuse conf without an allocator, unknown placeholders, bad variable and option names", () => {
    expect(errorFor({ c: { description: "x", conf: { prof: true } } }, "c").message).toContain('field "conf" needs the "allocator" field');
    expect(errorFor({ u: { description: "x", env: { HEAPPROFILE: "{outdir}/heap" } } }, "u").message).toContain('field "env.HEAPPROFILE" uses the unknown placeholder {outdir}');
    expect(errorFor({ v: { description: "x", env: { "A-B": "1" } } }, "v").message).toContain('field "env.A-B" is not a valid environment variable name');
    expect(errorFor({ k: { description: "x", allocator: "jemalloc", conf: { "prof final": true } } }, "k").message).toContain('field "conf.prof final" is not a valid jemalloc option name');
  });

  it("name the extends entry that points to no preset, with close names", () => {
    const error = errorFor({ mine: { description: "x", allocator: "jemalloc", extends: ["jemalloc-prof", "jemalloc-stat"] } }, "mine");
    expect(error.kind).toBe("input");
    expect(error.message).toBe(`${error.file("mine")}: field "extends[1]" names an unknown preset "jemalloc-stat"`);
    expect(error.hint).toContain("jemalloc-stats");
  });

  it("detect a cycle of extends and show it", () => {
    const error = errorFor(
      {
        a: { description: "a", extends: ["b"] },
        b: { description: "b", extends: ["c"] },
        c: { description: "c", extends: ["a"] },
      },
      "a",
      "glibc",
    );
    expect(error.message).toBe(`${error.file("c")}: field "extends[0]" makes a cycle: a → b → c → a`);
  });

  it("leave other presets usable when one file is broken", () => {
    const layout = makeTempLayout();
    writePresets(layout.projectDir, { broken: "{" });
    const plan = composeEnvPlan(loadTempCatalog(layout), "jemalloc", [{ kind: "preset", name: "jemalloc-stats" }]);
    expect(plan.presetsApplied).toEqual(["jemalloc", "jemalloc-stats"]);
  });
});
