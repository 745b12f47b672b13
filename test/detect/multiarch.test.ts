import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hostElfMachine, multiarchTriplet, multiarchTripletForElf } from "../../src/detect/index.js";
import { readElfIdentity } from "../../src/elf/index.js";

describe("multiarch triplets", () => {
  it("maps this machine's process.arch to the triplet gcc -print-multiarch prints", () => {
    const fromGcc = execFileSync("gcc", ["-print-multiarch"], { encoding: "utf8" }).trim();
    expect(multiarchTriplet(process.arch)).toBe(fromGcc);
  });

  it("accepts uname -m spellings too", () => {
    expect(multiarchTriplet("aarch64")).toBe("aarch64-linux-gnu");
    expect(multiarchTriplet("i686")).toBe("i386-linux-gnu");
    expect(multiarchTriplet("armv7l")).toBe("arm-linux-gnueabihf");
    expect(multiarchTriplet("vax")).toBeUndefined();
  });

  it("derives the triplet of x86-64, i386 and x32 programs from their ELF headers", () => {
    expect(multiarchTripletForElf(readElfIdentity("/usr/lib/x86_64-linux-gnu/libc.so.6"))).toBe("x86_64-linux-gnu");
    expect(multiarchTripletForElf(readElfIdentity("/lib32/libc.so.6"))).toBe("i386-linux-gnu");
    expect(multiarchTripletForElf(readElfIdentity("/libx32/libc.so.6"))).toBe("x86_64-linux-gnux32");
  });

  it("knows the ELF class and machine of code for this host", () => {
    const own = readElfIdentity(process.execPath);
    expect(hostElfMachine(process.arch)).toMatchObject({ bits: own.bits, machine: own.machine });
  });
});
