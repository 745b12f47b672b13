// jemalloc's own verdict on a MALLOC_CONF, asked of the real library before the run, so
// "<jemalloc>: Invalid conf value" reaches the summary and the manifest as a warning.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateLibrary } from "../../src/detect/index.js";
import { prepareRun } from "../../src/run/prepare-run.js";
import { probeJemallocConf } from "../../src/run/jemalloc-conf-probe.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const jemalloc = () => locateLibrary("jemalloc").path;

describe("probeJemallocConf", () => {
  it("reports each bad value and unknown key that jemalloc itself rejects", () => {
    expect(probeJemallocConf(jemalloc(), "dirty_decay_ms:abc,narenas:2,no_such_option:1")).toEqual([
      "jemalloc ignores part of MALLOC_CONF — Invalid conf value: dirty_decay_ms:abc (it keeps its default for that option)",
      "jemalloc ignores part of MALLOC_CONF — Invalid conf pair: no_such_option:1 (it keeps its default for that option)",
    ]);
  });

  it("is silent about a valid MALLOC_CONF and leaves no profile or report behind", async () => {
    const dir = await temps.make();
    const conf = `prof:true,prof_final:true,prof_leak:true,stats_print:true,prof_prefix:${join(dir, "jeprof")}`;
    expect(probeJemallocConf(jemalloc(), conf)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("prepareRun with jemalloc", () => {
  const prepare = (steps: Parameters<typeof prepareRun>[0]["steps"]) =>
    prepareRun({ allocator: "jemalloc", steps, libraryPath: undefined, env: {}, cwd: process.cwd(), program: "/bin/true" });

  it("warns about a --conf value jemalloc rejects", () => {
    expect(prepare([{ kind: "conf", text: "lg_prof_sample:zz" }]).warnings).toContain(
      "jemalloc ignores part of MALLOC_CONF — Invalid conf value: lg_prof_sample:zz (it keeps its default for that option)",
    );
  });

  it("does not probe shipped flag presets (known good): no warning, no cost", () => {
    expect(prepare([{ kind: "flag", flag: "prof" }]).warnings.filter((warning) => warning.startsWith("jemalloc ignores"))).toEqual([]);
  });
});
