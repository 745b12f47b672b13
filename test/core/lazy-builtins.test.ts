// The run path's stand-ins for os.tmpdir() and os.homedir() (they spare loading node:os
// before the program starts) must say what node:os says, for every environment.
import { homedir, tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { homeDirectory, temporaryDirectory } from "../../src/core/lazy-builtins.js";

const VARIABLES = ["TMPDIR", "TMP", "TEMP", "HOME"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function setEnvironment(values: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  for (const name of VARIABLES) {
    if (name === "HOME" && !("HOME" in values)) continue;
    const value = values[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

describe("temporaryDirectory and homeDirectory", () => {
  it.each([
    {},
    { TMPDIR: "/var/tmp" },
    { TMPDIR: "/var/tmp/" },
    { TMPDIR: "/" },
    { TMPDIR: "", TMP: "/scratch/" },
    { TMP: "/a", TEMP: "/b" },
    { TEMP: "/only/temp" },
    { TMPDIR: "relative/dir/" },
  ])("say what os.tmpdir() says with %o", (values) => {
    setEnvironment(values);
    expect(temporaryDirectory()).toBe(tmpdir());
  });

  it.each([{ HOME: "/home/someone" }, { HOME: "/home/someone/" }])("say what os.homedir() says with %o", (values) => {
    setEnvironment(values);
    expect(homeDirectory()).toBe(homedir());
  });
});
