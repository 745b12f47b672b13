// Text, Markdown, CSV and collapsed outputs of real fixture analyses, against golden files
// (UPDATE_GOLDEN=1 npx vitest run test/report refreshes them), plus the format rules.
import { describe, expect, it } from "vitest";
import { analyzeGrowth, analyzeProfile } from "../../src/analysis/analysis.js";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { renderCollapsed, sanitizeFrameName } from "../../src/report/collapsed.js";
import { renderTable, type Table } from "../../src/report/table.js";
import { renderGrowthReport, renderTextReport, sparkline } from "../../src/report/text-report.js";
import { roundPreservingSum } from "../../src/report/values.js";
import { analyzeFixture, fixtureSymbolizeOptions } from "../analysis/reference-reports.js";
import { fixturePath } from "../profile/fixtures.js";
import { expectGolden } from "./golden.js";

describe("text report", () => {
  it("shows the total, then the top functions by flat and by cum (jemalloc heap)", async () => {
    expectGolden("leak.jemalloc.f.inuse_space.txt", renderTextReport(await analyzeFixture("leak.jemalloc.f.heap"), { top: 10, style: "terminal" }));
  });

  it("shows CPU time for a gperftools CPU profile", async () => {
    expectGolden("churn.cpu.txt", renderTextReport(await analyzeFixture("churn.cpu.prof"), { top: 10, style: "terminal" }));
  });

  it("shows the change per function against a base profile", async () => {
    const [current, base] = await loadPreparedProfiles([fixturePath("leak.tcmalloc.0005.heap"), fixturePath("leak.tcmalloc.0003.heap")], fixtureSymbolizeOptions());
    if (current === undefined || base === undefined) throw new Error("fixtures missing");
    expectGolden("leak.tcmalloc.0005-vs-0003.txt", renderTextReport(analyzeProfile(current, "inuse_space", base), { top: 8, style: "terminal" }));
  });

  it("ranks growth across a series", async () => {
    const series = await loadPreparedProfiles([1, 2, 3, 4, 5].map((i) => fixturePath(`leak.tcmalloc.000${i}.heap`)), fixtureSymbolizeOptions());
    expectGolden("leak.tcmalloc.growth.txt", renderGrowthReport(analyzeGrowth(series, "inuse_space"), { top: 5, style: "terminal" }));
  });

  it("writes the same tables as Markdown and CSV", async () => {
    const analysis = await analyzeFixture("leak.jemalloc.f.heap");
    expectGolden("leak.jemalloc.f.inuse_space.md", renderTextReport(analysis, { top: 5, style: "markdown" }));
    expectGolden("leak.jemalloc.f.inuse_space.csv", renderTextReport(analysis, { top: 5, style: "csv" }));
  });

  it("aligns every terminal row to the same columns", async () => {
    const text = renderTextReport(await analyzeFixture("leak.jemalloc.f.heap"), { top: 10, style: "terminal" });
    const table = text.split("\n\n")[1]?.split("\n").slice(1, 12) ?? [];
    const functionColumn = table.map((line) => line.indexOf(line.includes("function") ? "function" : (line.trim().split(/\s{2,}/)[5] ?? "")));
    expect(new Set(functionColumn).size).toBe(1);
  });
});

describe("the shared table writer", () => {
  const table: Table = {
    columns: [
      { header: "flat", align: "right" },
      { header: "function", align: "left" },
    ],
    rows: [
      [{ text: "1.00 MiB", raw: 1048576 }, { text: "a|b, \"c\"" }],
      [{ text: "12 B", raw: 12 }, { text: "main" }],
    ],
  };

  it("differs between terminal, Markdown and CSV only in row syntax", () => {
    expect(renderTable(table, "terminal")).toBe("    flat  function\n1.00 MiB  a|b, \"c\"\n    12 B  main\n");
    expect(renderTable(table, "markdown")).toBe("| flat | function |\n|---:|:---|\n| 1.00 MiB | a\\|b, \"c\" |\n| 12 B | main |\n");
    expect(renderTable(table, "csv")).toBe('flat,function\n1048576,"a|b, ""c"""\n12,main\n');
  });

  it("draws a trend as a sparkline", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5])).toBe("▁▁");
  });
});

describe("collapsed stacks", () => {
  it("folds the jemalloc profile root first with integer weights", async () => {
    const folded = renderCollapsed(await analyzeFixture("leak.jemalloc.f.heap"));
    expectGolden("leak.jemalloc.f.collapsed", folded);
    for (const line of folded.trimEnd().split("\n")) expect(line).toMatch(/^\S.*[^ ] \d+$/);
  });

  it("keeps the total exact when rounding fractional weights", async () => {
    const analysis = await analyzeFixture("leak.jemalloc.f.heap");
    const sum = renderCollapsed(analysis)
      .trimEnd()
      .split("\n")
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
    expect(sum).toBe(Math.round(analysis.total));
  });

  it("writes OLD NEW columns against a base (flamegraph.pl difffolded)", async () => {
    const [current, base] = await loadPreparedProfiles([fixturePath("leak.tcmalloc.0005.heap"), fixturePath("leak.tcmalloc.0003.heap")], fixtureSymbolizeOptions());
    if (current === undefined || base === undefined) throw new Error("fixtures missing");
    const lines = renderCollapsed(analyzeProfile(current, "inuse_space", base)).trimEnd().split("\n");
    const threadLine = lines.find((line) => line.includes("thread_keep;leaf_alloc"));
    expect(threadLine).toMatch(/ 0 10485760$/);
  });

  it("replaces ; and line breaks inside names", () => {
    expect(sanitizeFrameName("operator;weird\nname")).toBe("operator:weird name");
  });

  it("rounds to integers that still add up", () => {
    expect(roundPreservingSum([0.4, 0.4, 0.4, 1.8])).toEqual([1, 0, 0, 2]);
    expect(roundPreservingSum([1.5, 1.5, 1.5, 1.5]).reduce((a, b) => a + b, 0)).toBe(6);
  });
});
