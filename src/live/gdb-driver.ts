// The Python program gdb runs inside a live-process session (gdb-session.ts passes it and
// the request through the environment, so nothing needs quoting). It attaches, picks a
// thread that is not inside the allocator (calling the allocator from a thread stopped
// while holding one of its locks would deadlock that thread), maps a scratch page with
// mmap (no heap allocation in the target), makes the requested calls with every
// argument cast (Debian's allocator libraries have no debug info), unmaps the page and
// detaches. Other threads keep running during the calls (scheduler-locking off), so locks
// they hold are released; a signal inside a call unwinds it (unwindonsignal). One line
// "@@allocrun@@{json}" on stdout is the result.
export const RESULT_MARKER = "@@allocrun@@";

export const GDB_DRIVER_PY = String.raw`
import json, os, re
import gdb

REQUEST = json.loads(os.environ["ALLOCRUN_GDB_REQUEST"])
MARKER = "${RESULT_MARKER}"
PAGE_BYTES = 4096
MAX_FRAMES = 512
MAX_STRING_BYTES = 512 * 1024 * 1024


def emit(result):
    print(MARKER + json.dumps(result), flush=True)


class CallFailed(Exception):
    pass


def frames_of(thread):
    """(pc, name) from the innermost frame out; pc None when unwinding failed."""
    thread.switch()
    frames = []
    frame = gdb.newest_frame()
    while frame is not None and len(frames) < MAX_FRAMES:
        frames.append((frame.pc(), frame.name() or ""))
        try:
            frame = frame.older()
        except gdb.error:
            frames.append((None, ""))
            break
    return frames


def is_allocator_frame(pc, name, ranges, pattern):
    if pc is None:
        return True  # cannot tell what the rest of the stack holds
    if any(start <= pc < end for start, end in ranges):
        return True
    return pattern is not None and pattern.match(name) is not None


def choose_thread(inferior):
    ranges = REQUEST["allocatorRanges"]
    pattern = re.compile(REQUEST["allocatorNamePattern"]) if REQUEST["allocatorNamePattern"] else None
    pid = inferior.pid
    threads = sorted(inferior.threads(), key=lambda t: (t.ptid[1] != pid, t.num))
    for thread in threads:
        if not any(is_allocator_frame(pc, name, ranges, pattern) for pc, name in frames_of(thread)):
            return thread, len(threads)
    return None, len(threads)


def evaluate(expression):
    try:
        return gdb.parse_and_eval(expression)
    except gdb.error as error:
        raise CallFailed("%s failed: %s" % (expression, error))


def evaluate_int(expression):
    return int(evaluate(expression))


class Scratch:
    def __init__(self, inferior, size):
        self.inferior = inferior
        self.size = size
        self.base = evaluate_int("(long)mmap((void*)0, (unsigned long)%d, 3, 0x22, -1, (long)0)" % size)
        if self.base in (0, -1):
            raise CallFailed("mmap of a scratch page in the target failed")
        self.used = 0

    def place(self, data):
        at = self.base + self.used
        self.used += (len(data) + 15) // 16 * 16
        if self.used > self.size:
            raise CallFailed("the call's arguments do not fit in the scratch page")
        self.inferior.write_memory(at, data)
        return at

    def release(self):
        evaluate_int("(int)munmap((void*)%d, (unsigned long)%d)" % (self.base, self.size))


def read_c_string(inferior, address, limit):
    chunks = []
    total = 0
    while total < limit:
        size = min(PAGE_BYTES - (address + total) % PAGE_BYTES, limit - total)
        chunk = bytes(inferior.read_memory(address + total, size))
        end = chunk.find(b"\0")
        if end >= 0:
            chunks.append(chunk[:end])
            break
        chunks.append(chunk)
        total += size
    return b"".join(chunks)


def argument(scratch, spec, outputs):
    if "null" in spec:
        return "(void*)0"
    if "int" in spec:
        return "(int)%d" % spec["int"]
    if "ulong" in spec:
        return "(unsigned long)%d" % spec["ulong"]
    if "str" in spec:
        return "(char*)%d" % scratch.place(spec["str"].encode() + b"\0")
    if "pointerToStr" in spec:
        text = scratch.place(spec["pointerToStr"].encode() + b"\0")
        return "(void*)%d" % scratch.place(text.to_bytes(8, "little"))
    if "bytes" in spec:
        data = bytes.fromhex(spec["bytes"])
        at = scratch.place(data)
        if "out" in spec:
            outputs.append((spec, at, len(data)))
        return "(void*)%d" % at
    if "buffer" in spec:
        at = scratch.place(bytes(spec["buffer"]))
        outputs.append((spec, at, spec["buffer"]))
        return "(char*)%d" % at
    raise CallFailed("unknown argument %r" % (spec,))


def read_outputs(inferior, outputs):
    values = {}
    for spec, at, size in outputs:
        data = bytes(inferior.read_memory(at, size))
        if spec.get("derefString"):
            pointer = int.from_bytes(data[:8], "little")
            values[spec["out"]] = None if pointer == 0 else read_c_string(inferior, pointer, 4096).decode("utf-8", "replace")
        elif "buffer" in spec:
            values[spec["outText"]] = data.split(b"\0", 1)[0].decode("utf-8", "replace")
        else:
            values[spec["out"]] = data.hex()
    return values


def run_call(inferior, scratch, call):
    outputs = []
    args = ", ".join(argument(scratch, spec, outputs) for spec in call["args"])
    cast = {"int": "(int)", "long": "(long)", "void": "(void)"}[call["returns"]]
    expression = "%s%s(%s)" % (cast, call["fn"], args)
    try:
        value = gdb.parse_and_eval(expression)
        returned = 0 if call["returns"] == "void" else int(value)
    except gdb.error as error:
        return {"id": call["id"], "error": str(error)}
    result = {"id": call["id"], "returned": returned, "outputs": read_outputs(inferior, outputs)}
    saved = call.get("returnedString")
    if saved is not None:
        if returned == 0:
            result["fileBytes"] = -1
        else:
            data = read_c_string(inferior, returned, MAX_STRING_BYTES)
            with open(saved["toFile"], "wb") as file:
                file.write(data)
            result["fileBytes"] = len(data)
            evaluate("(void)%s((void*)%d)" % (saved["free"], returned))
    return result


def session():
    try:
        gdb.execute("attach %d" % REQUEST["pid"], to_string=True)
    except gdb.error as error:
        emit({"status": "attach-failed", "message": str(error)})
        return
    try:
        gdb.execute("set scheduler-locking off", to_string=True)
        inferior = gdb.selected_inferior()
        thread, thread_count = choose_thread(inferior)
        if thread is None:
            emit({"status": "busy", "threads": thread_count})
            return
        thread.switch()
        scratch = Scratch(inferior, REQUEST["scratchBytes"])
        try:
            results = [run_call(inferior, scratch, call) for call in REQUEST["calls"]]
        finally:
            scratch.release()
        emit({"status": "ok", "threads": thread_count, "tid": thread.ptid[1], "results": results})
    except (CallFailed, gdb.error, gdb.MemoryError) as error:
        emit({"status": "call-failed", "message": str(error)})
    finally:
        try:
            gdb.execute("detach", to_string=True)
        except gdb.error:
            pass


session()
`;
