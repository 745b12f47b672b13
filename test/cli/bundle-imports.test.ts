// What the command bundles load before they do anything: a static import of a heavy
// package is paid by every start of that command. execa costs 0.2–0.3 s to import, and
// `analyze` runs a helper process (addr2line, c++filt, dot) only for some profiles.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Packages a bundle imports statically (import … from "pkg"), not through import("pkg"). */
function staticImports(bundle: string): string[] {
  const code = readFileSync(`dist/bundle/${bundle}`, "utf8");
  return [...code.matchAll(/\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*"([^"]+)"/g)].map((match) => match[1]!);
}

describe("command bundles", () => {
  it("analyze and the after-run analysis import execa only when they run a helper", () => {
    for (const bundle of ["analyze.js", "after-run.js"]) {
      const imports = staticImports(bundle);
      expect(imports, bundle).toContain("node:fs"); // the pattern does find static imports
      expect(imports, bundle).not.toContain("execa");
    }
  });
});
