// Fails the test run when it leaves files behind, in the temporary folder or in the
// checkout. Every test process gets a private TMPDIR (os.tmpdir(), tmp-promise and the
// programs the tests start all follow it); whatever is still in it at the end was leaked,
// by a test's own scratch folder or by allocrun itself.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO_ROOT = join(import.meta.dirname, "..");
/** Build caches the tests may fill (all ignored by git). */
const BUILD_OUTPUTS = ["node_modules", "dist/", "native/build/", "test/.build/", "examples/build/"];

function strayCheckoutEntries(): Set<string> {
  const status = execFileSync("git", ["status", "--porcelain", "--ignored"], { cwd: REPO_ROOT, encoding: "utf8" });
  const entries = status
    .split("\n")
    .filter((line) => line.startsWith("?? ") || line.startsWith("!! "))
    .map((line) => line.slice(3))
    .filter((path) => !BUILD_OUTPUTS.some((output) => path === output || path.startsWith(output)));
  return new Set(entries);
}

export default function setup(): () => void {
  const privateTmp = mkdtempSync(join(tmpdir(), "allocrun-test-tmpdir-"));
  // Like /tmp: tests that run commands as `nobody` make folders in here.
  chmodSync(privateTmp, 0o1777);
  const previousTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  const checkoutBefore = strayCheckoutEntries();

  return () => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    const leftInTmp = readdirSync(privateTmp);
    rmSync(privateTmp, { recursive: true, force: true });
    const leftInCheckout = [...strayCheckoutEntries()].filter((entry) => !checkoutBefore.has(entry));
    const problems = [
      ...leftInTmp.map((name) => `left in the temporary folder: ${name}`),
      ...leftInCheckout.map((path) => `left in the checkout: ${path}`),
    ];
    if (problems.length > 0) {
      // vitest reports an error thrown here but still exits 0: set the status too.
      process.exitCode = 1;
      throw new Error(`the tests left files behind (use test/helpers/temp-dir.ts; fix allocrun if it made them; ignore a file you added yourself during the run):\n  ${problems.join("\n  ")}`);
    }
  };
}
