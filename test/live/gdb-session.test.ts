// The gdb session itself, on a real process: calls run on a thread with no allocator frame
// on its stack (the main thread first), no call is made while every thread is inside the
// allocator, and a call that hangs is interrupted and unwound — the process lives on.
import { describe, expect, it } from "vitest";
import { runGdbSession, type GdbSessionRequest } from "../../src/live/gdb-session.js";
import { isProcessRunning } from "../../src/live/live-process.js";
import { startWithEnvironment } from "./helpers/longrun.js";

const getpid = { id: "pid", fn: "getpid", returns: "int" as const, args: [] };
const EVERYWHERE: Array<[number, number]> = [[0, Number.MAX_SAFE_INTEGER]];

function request(pid: number, overrides: Partial<GdbSessionRequest>): GdbSessionRequest {
  return { pid, targetUid: process.getuid?.() ?? 0, allocatorRanges: [], allocatorNamePattern: null, calls: [getpid], ...overrides };
}

describe("runGdbSession", () => {
  it("calls on the main thread when its stack is clear of the allocator, else on another thread", async () => {
    const program = await startWithEnvironment({});
    // longrun's main thread runs main(), its churn thread churn(): treat one as "the allocator".
    const onMain = await runGdbSession(request(program.pid, { allocatorNamePattern: "^churn$" }));
    const offMain = await runGdbSession(request(program.pid, { allocatorNamePattern: "^main$" }));
    const end = await program.stop();
    expect(onMain.threads).toBe(2);
    expect(onMain.tid).toBe(program.pid);
    expect(onMain.results.get("pid")?.returned).toBe(program.pid);
    expect(offMain.tid).not.toBe(program.pid);
    expect(offMain.results.get("pid")?.returned).toBe(program.pid);
    expect(end.exitCode).toBe(0);
  });

  it("makes no call while every thread is inside the allocator, and says so after its attempts", async () => {
    const program = await startWithEnvironment({});
    const refused = runGdbSession(request(program.pid, { allocatorRanges: EVERYWHERE }), { attempts: 2 });
    await expect(refused).rejects.toThrow(`every thread of process ${program.pid} was inside the allocator in 2 attempts, so no call could be made safely`);
    const end = await program.stop();
    expect(end.exitCode).toBe(0);
  });

  it("interrupts a call that does not return in time, unwinds it, and the process keeps running", async () => {
    const program = await startWithEnvironment({});
    const sleeping = { id: "sleep", fn: "sleep", returns: "int" as const, args: [{ int: 600 }] };
    await expect(runGdbSession(request(program.pid, { calls: [sleeping] }), { timeoutMs: 1500 })).rejects.toThrow("gdb did not finish within 1.50 s and was interrupted");
    expect(isProcessRunning(program.pid)).toBe(true);
    // Still answering calls, and still ending normally on SIGTERM.
    const after = await runGdbSession(request(program.pid, {}));
    expect(after.results.get("pid")?.returned).toBe(program.pid);
    const end = await program.stop();
    expect(end.exitCode).toBe(0);
    expect(end.stdout).toMatch(/exiting normally on a signal/);
  });

  it("reports a function the process does not have as that call's error", async () => {
    const program = await startWithEnvironment({});
    const session = await runGdbSession(request(program.pid, { calls: [{ id: "x", fn: "no_such_function_here", returns: "int", args: [] }, getpid] }));
    await program.stop();
    expect(session.results.get("x")?.error).toMatch(/No symbol "no_such_function_here" in current context/);
    expect(session.results.get("pid")?.returned).toBe(program.pid);
  });
});
