// examples/go/pprof-server built with Debian's Go toolchain (standard library only, private
// caches under test/.build, no network) and started on a free loopback port.
import { execa } from "execa";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES_DIR, REPO_ROOT } from "../../helpers/examples.js";

const BUILD_DIR = join(REPO_ROOT, "test", ".build");
const SOURCE_DIR = join(EXAMPLES_DIR, "go", "pprof-server");

/** Why the Go program cannot be built here, or undefined. */
export function whyNoGo(): string | undefined {
  return spawnSync("go", ["version"]).status === 0 ? undefined : "needs the Go toolchain (apt install golang-go)";
}

export function buildPprofServer(): string {
  const source = join(SOURCE_DIR, "pprof-server.go");
  const output = join(BUILD_DIR, `go-pprof-server-${createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12)}`);
  if (existsSync(output)) return output;
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${output}.${process.pid}.tmp`;
  execFileSync("go", ["build", "-o", partial, "pprof-server.go"], {
    cwd: SOURCE_DIR,
    env: { ...process.env, CGO_ENABLED: "0", GOCACHE: join(BUILD_DIR, "go-cache"), GOPATH: join(BUILD_DIR, "go-path"), GOFLAGS: "-mod=mod", GOPROXY: "off" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(partial, output);
  return output;
}

export interface RunningServer {
  pid: number;
  /** http://127.0.0.1:PORT/debug/pprof/ */
  baseUrl: string;
  stop(): Promise<{ exitCode: number | undefined; stdout: string }>;
}

export async function startPprofServer(): Promise<RunningServer> {
  const child = execa(buildPprofServer(), ["-seconds", "60"], { buffer: false, reject: false, stdin: "ignore" });
  let stdout = "";
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const found = /pid (\d+) serving (http:\/\/\S+)/.exec(stdout);
      if (found) resolve(found);
    });
    void child.then(() => reject(new Error(`pprof-server ended before serving: ${stdout}`)));
  });
  const pid = Number(match[1]);
  return {
    pid,
    baseUrl: match[2] as string,
    async stop() {
      process.kill(pid, "SIGTERM");
      const result = await child;
      return { exitCode: result.exitCode, stdout };
    },
  };
}
