import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseProfile, readProfileFile } from "../../src/profile/read-profile.js";
import { fixturePath, readFixture } from "./fixtures.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

async function rejectionOf(promise: Promise<unknown>): Promise<AllocrunError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AllocrunError);
  return error as AllocrunError;
}

describe("parseProfile", () => {
  it.each([
    ["leak.jemalloc.f.heap", "jemalloc-heap"],
    ["leak.tcmalloc.0005.heap", "gperftools-heap"],
    ["churn.cpu.prof", "gperftools-cpu"],
  ])("recognises %s as %s", (name, format) => {
    expect(parseProfile(readFixture(name), name).format).toBe(format);
  });

  it("rejects an unknown format, naming the file and the formats it knows", () => {
    expect(() => parseProfile(new TextEncoder().encode("hello\n"), "notes.txt")).toThrow(
      "notes.txt is not a heap or CPU profile allocrun knows (jemalloc heap_v2, gperftools heap/CPU, pprof)",
    );
  });

  it("explains an empty file as a profile that was never written", () => {
    try {
      parseProfile(new Uint8Array(0), "cpu.prof");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AllocrunError);
      expect((error as AllocrunError).message).toBe("cpu.prof is empty");
      expect((error as AllocrunError).hint).toMatch(/SIGTERM/);
    }
  });
});

describe("readProfileFile", () => {
  it("reads and parses a file from disk", async () => {
    const profile = await readProfileFile(fixturePath("leak.jemalloc.f.heap"));
    expect(profile.format).toBe("jemalloc-heap");
  });

  it("reports a missing file as an input error naming the path", async () => {
    const error = await rejectionOf(readProfileFile("/nonexistent/x.heap"));
    expect(error.kind).toBe("input");
    expect(error.message).toBe("profile /nonexistent/x.heap does not exist");
  });

  it("reports a directory as an input error", async () => {
    const error = await rejectionOf(readProfileFile(tmpdir()));
    expect(error.message).toMatch(/is a directory$/);
  });

  it("names the file in a malformed-profile error", async () => {
    const path = join(scratchDirs.makeSync("allocrun-profile-"), "cut.heap");
    writeFileSync(path, "heap_v2/524288\n  t*: 1: 2 [0: 0]\n@ 0x1\n");
    const error = await rejectionOf(readProfileFile(path));
    expect(error.message).toBe(`${path}:4: a stack ends without its "t*:" counts line`);
  });
});
