// What the command bundles load: a heavy package is paid by every start of that command.
// execa costs 0.2–0.3 s to import, more than the helpers `analyze` runs (addr2line,
// c++filt, dpkg-query, dot) take, so analysis spawns them with node:child_process.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Packages a bundle imports, statically (import … from "pkg") or on demand (import("pkg")). */
function importedPackages(bundle: string): string[] {
  const code = readFileSync(`dist/bundle/${bundle}`, "utf8");
  const found = code.matchAll(/\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g);
  return [...found].map((match) => (match[1] ?? match[2])!);
}

describe("command bundles", () => {
  it("analyze and the after-run analysis never import execa", () => {
    for (const bundle of ["analyze.js", "after-run.js"]) {
      const imports = importedPackages(bundle);
      expect(imports, bundle).toContain("node:fs"); // the pattern does find static imports
      expect(imports, bundle).not.toContain("execa");
    }
  });
});
