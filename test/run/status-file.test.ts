// The launcher's status file: read back line by line as the launcher writes it, and
// never left behind.
import { existsSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StatusFile } from "../../src/run/status-file.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();

describe("StatusFile", () => {
  it("hands over the complete lines written so far and keeps an unfinished one for later", () => {
    const status = StatusFile.create([temp.makeSync("allocrun-status-test-")]);
    try {
      const lines: string[] = [];
      writeSync(status.fd, "pid 42\nforwarded 15\nend exi");
      status.drain((line) => lines.push(line));
      expect(lines).toEqual(["pid 42", "forwarded 15"]);
      writeSync(status.fd, "t 0 0\n");
      status.drain((line) => lines.push(line));
      expect(lines).toEqual(["pid 42", "forwarded 15", "end exit 0 0"]);
    } finally {
      status.close();
    }
  });

  it("is unlinked as soon as it is open: its folder stays empty", () => {
    const directory = temp.makeSync("allocrun-status-test-");
    const status = StatusFile.create([directory]);
    try {
      expect(readdirSync(directory)).toEqual([]);
    } finally {
      status.close();
    }
  });

  it("falls back to the next folder, and throws the first failure when none takes it", () => {
    const missing = join(temp.makeSync("allocrun-status-test-"), "missing");
    const directory = temp.makeSync("allocrun-status-test-");
    StatusFile.create([missing, directory]).close();
    expect(existsSync(missing)).toBe(false);
    expect(() => StatusFile.create([missing])).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});
