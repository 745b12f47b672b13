// Demangling many names at once: one `c++filt` process for the whole batch when it is
// installed (binutils: the same package as addr2line), the native fallback otherwise.
import { runBatch } from "./batch-process.js";
import { demangleNameNatively, isMangledName, stripRustHash } from "./function-names.js";

/**
 * Demangled form of every mangled name in `names` (others map to themselves).
 * `cxxfilt` is the path of c++filt, or undefined to use the native fallback only.
 */
export async function demangleNames(names: Iterable<string>, cxxfilt: string | undefined): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const mangled: string[] = [];
  for (const name of names) {
    if (result.has(name)) continue;
    if (isMangledName(name) && !name.includes("\n")) mangled.push(name);
    result.set(name, name);
  }
  if (mangled.length === 0) return result;
  const viaTool = cxxfilt === undefined ? undefined : await demangleWithCxxfilt(mangled, cxxfilt);
  mangled.forEach((name, index) => {
    const demangled = viaTool?.[index];
    const usable = demangled !== undefined && demangled !== "" && demangled !== name ? stripRustHash(demangled) : demangleNameNatively(name);
    result.set(name, usable ?? name);
  });
  return result;
}

async function demangleWithCxxfilt(names: string[], cxxfilt: string): Promise<string[] | undefined> {
  const { stdout, failed } = await runBatch(cxxfilt, [], `${names.join("\n")}\n`);
  if (failed) return undefined;
  const lines = stdout.split("\n");
  // c++filt answers one line per input line; anything else means we cannot pair them up.
  return lines.length >= names.length ? lines.slice(0, names.length) : undefined;
}
