// Files of the allocrun package (presets/, native/, package.json) found from the code's own
// location: src/<stage>/x.ts and dist/bundle/main.cjs both sit two levels below the root.
// Worked out once: a URL parse per constant is measurable on the `run` path.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Set by scripts/bundle.mjs in main.cjs (from __dirname, without a URL); undefined elsewhere. */
declare const __ALLOCRUN_PACKAGE_ROOT__: string | undefined;

const PACKAGE_ROOT = typeof __ALLOCRUN_PACKAGE_ROOT__ === "string" ? __ALLOCRUN_PACKAGE_ROOT__ : fileURLToPath(new URL("../../", import.meta.url));

/** The absolute path of `relative` (slash-separated) inside the package. */
export function packagePath(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}
