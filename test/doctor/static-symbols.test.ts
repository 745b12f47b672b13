// doctor on a stripped static program: it has no .dynsym, so the symbols finding must not
// promise exported (.dynsym) function names.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";

describe("doctor on a stripped static program", () => {
  it("says profiles cannot name its functions, without mentioning .dynsym functions it cannot have", async () => {
    const program = buildExample("peak", { flags: ["-static"], strip: true });
    const result = await runCli(["doctor", "--json", program]);
    const report = JSON.parse(result.stdout) as { findings: { id: string; what: string }[] };
    const symbols = report.findings.find((finding) => finding.id === "target.symbols");
    expect(symbols?.what).toContain("profiles cannot name any of its functions (a static program has no .dynsym)");
    expect(symbols?.what).not.toContain("exported (.dynsym) functions");
  });
});
