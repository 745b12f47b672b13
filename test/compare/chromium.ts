// Loads a page in real headless Chromium (Debian package `chromium`) and returns the DOM
// after scripts ran, plus the console lines (uncaught errors show up there).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface RenderedPage {
  dom: string;
  consoleLines: string[];
}

export function renderInChromium(htmlPath: string): RenderedPage {
  const profile = mkdtempSync(join(tmpdir(), "allocrun-chromium-"));
  try {
    const result = spawnSync(
      "chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        pathToFileURL(htmlPath).href,
      ],
      { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.error) throw new Error(`cannot run chromium (${result.error.message}): install it with apt-get install -y chromium`);
    if (result.status !== 0) throw new Error(`chromium exited with ${result.status}: ${result.stderr.slice(-2000)}`);
    return { dom: result.stdout, consoleLines: result.stderr.split("\n").filter((line) => line.includes(":CONSOLE")) };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
