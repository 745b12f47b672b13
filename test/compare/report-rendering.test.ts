import { describe, expect, it } from "vitest";
import { renderCsvTable, renderMarkdownTable, renderTextTable, type Table } from "../../src/compare/table-writer.js";
import { chooseByteTickUnit, chooseTicks, escapeXml, thinSeries } from "../../src/compare/svg-charts.js";

const TABLE: Table = {
  columns: [
    { title: "variant", align: "left" },
    { title: "peak RSS", align: "right" },
  ],
  rows: [
    ["glibc", "69.1 MiB"],
    ["a|b, \"c\"", "1.0 KiB"],
  ],
};

describe("table syntaxes", () => {
  it("aligns text columns, numbers to the right", () => {
    expect(renderTextTable(TABLE)).toBe(["variant   peak RSS", "glibc     69.1 MiB", 'a|b, "c"   1.0 KiB'].join("\n"));
  });

  it("escapes pipes in Markdown and right-aligns number columns", () => {
    expect(renderMarkdownTable(TABLE).split("\n")).toEqual(["| variant | peak RSS |", "|:---|---:|", "| glibc | 69.1 MiB |", '| a\\|b, "c" | 1.0 KiB |']);
  });

  it("quotes CSV fields with commas or quotes (RFC 4180)", () => {
    expect(renderCsvTable(TABLE)).toBe('variant,peak RSS\r\nglibc,69.1 MiB\r\n"a|b, ""c""",1.0 KiB\r\n');
  });
});

describe("chart helpers", () => {
  it("chooses round ticks", () => {
    expect(chooseTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(chooseTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(chooseTicks(0, 0.2)).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
  });

  it("puts byte ticks on whole binary units", () => {
    expect(chooseByteTickUnit(75 * 1048576)).toBe(1048576);
    expect(chooseByteTickUnit(900)).toBe(1);
  });

  it("thins a long series but keeps its peak", () => {
    const points = Array.from({ length: 10000 }, (_, i) => ({ x: i, y: i === 6543 ? 1e9 : i % 7 }));
    const thin = thinSeries(points, 500);
    expect(thin).toHaveLength(500);
    expect(Math.max(...thin.map((p) => p.y))).toBe(1e9);
  });

  it("escapes markup in labels", () => {
    expect(escapeXml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });
});
