// jemalloc's mallctl(name, oldp, oldlenp, newp, newlen) as gdb calls: reads of booleans,
// numbers and strings, writes, and decoding of what came back. The function is looked up
// with the allocator's prefix (mallctl, _rjem_mallctl).
import type { GdbArgument, GdbCall, GdbCallResult } from "./gdb-session.js";

export type MallctlType = "bool" | "size_t" | "string";

const SIZES: Record<MallctlType, number> = { bool: 1, size_t: 8, string: 8 };
/** errno values mallctl returns. */
export const ENOENT = 2;
export const EFAULT = 14;

function littleEndian(value: number, bytes: number): string {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer.subarray(0, bytes).toString("hex");
}

/** mallctl(name, &out, &len, NULL, 0): reads one value into output `id`. */
export function mallctlRead(prefix: string, id: string, name: string, type: MallctlType): GdbCall {
  const out: GdbArgument = { bytes: "00".repeat(8), out: id, ...(type === "string" ? { derefString: true } : {}) };
  return { id, fn: `${prefix}mallctl`, returns: "int", args: [{ str: name }, out, { bytes: littleEndian(SIZES[type], 8) }, { null: true }, { ulong: 0 }] };
}

/** mallctl(name, &old, &len, &value, size): writes a value, reading the previous one into `id`. */
export function mallctlExchange(prefix: string, id: string, name: string, type: "bool" | "size_t", value: number): GdbCall {
  const size = SIZES[type];
  return {
    id,
    fn: `${prefix}mallctl`,
    returns: "int",
    args: [{ str: name }, { bytes: "00".repeat(8), out: id }, { bytes: littleEndian(size, 8) }, { bytes: littleEndian(value, size) }, { ulong: size }],
  };
}

/** mallctl(name, NULL, NULL, &text, sizeof(char *)): prof.dump with a file name. */
export function mallctlWriteString(prefix: string, id: string, name: string, text: string): GdbCall {
  return { id, fn: `${prefix}mallctl`, returns: "int", args: [{ str: name }, { null: true }, { null: true }, { pointerToStr: text }, { ulong: 8 }] };
}

/** What one mallctl call gave back: its return code and, when it succeeded, the value. */
export interface MallctlReply<T> {
  /** 0 on success, else an errno (ENOENT: no such name or not compiled in). */
  code: number;
  value: T | undefined;
}

function requireResult(results: Map<string, GdbCallResult>, id: string): GdbCallResult {
  const result = results.get(id);
  if (result === undefined) throw new Error(`no result for the call "${id}"`);
  return result;
}

/** The reply to a read or exchange of a boolean or number; a failed call gives code -1. */
export function decodeNumber(results: Map<string, GdbCallResult>, id: string, type: "bool" | "size_t"): MallctlReply<number> {
  const result = requireResult(results, id);
  if (result.error !== undefined) return { code: -1, value: undefined };
  const hex = result.outputs[id];
  if (result.returned !== 0 || typeof hex !== "string") return { code: result.returned, value: undefined };
  const bytes = Buffer.from(hex, "hex");
  return { code: 0, value: type === "bool" ? bytes.readUInt8(0) : Number(bytes.readBigUInt64LE(0)) };
}

export function decodeString(results: Map<string, GdbCallResult>, id: string): MallctlReply<string> {
  const result = requireResult(results, id);
  if (result.error !== undefined) return { code: -1, value: undefined };
  const text = result.outputs[id];
  return { code: result.returned, value: result.returned === 0 && typeof text === "string" ? text : undefined };
}

/** The return code of a call, -1 when gdb could not make it. */
export function decodeReturn(results: Map<string, GdbCallResult>, id: string): number {
  const result = requireResult(results, id);
  return result.error !== undefined ? -1 : result.returned;
}
