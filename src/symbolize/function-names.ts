// Display names for functions: demangled (C++ Itanium, Rust legacy and v0) and shortened the
// way pprof shortens them (no argument lists, no template arguments, no return type), so
// the names line up with jeprof / google-pprof output and stay readable in a table.

/** True for names in a mangling scheme c++filt or the native fallback understands. */
export function isMangledName(name: string): boolean {
  return /^_{1,2}Z/.test(name) || /^_R[_A-Z0-9]/.test(name);
}

/** Rust legacy symbols end in a hash segment `::h<16 hex>`; it only adds noise. */
export function stripRustHash(name: string): string {
  return name.replace(/::h[0-9a-f]{16}$/, "");
}

/** pprof's ShortFunctionName: drop argument lists, template arguments and leading types. */
export function shortenFunctionName(name: string): string {
  let short = name;
  let previous: string;
  do {
    previous = short;
    short = short.replace(/\([^()]*\)(\s*const)?/g, "");
  } while (short !== previous);
  do {
    previous = short;
    short = short.replace(/<[^<>]*>/g, "");
  } while (short !== previous);
  short = short.replace(/^.*\s+(\w+::)/, "$1");
  return short.trim() === "" ? name : short;
}

/** Version suffixes from .dynsym (`foo@@GLIBC_2.2.5`) are not part of the function's name. */
export function stripSymbolVersion(name: string): string {
  return name.replace(/@{1,2}[A-Za-z0-9_.]+$/, "");
}

const RUST_ESCAPES: Record<string, string> = {
  $SP$: "@", $BP$: "*", $RF$: "&", $LT$: "<", $GT$: ">", $LP$: "(", $RP$: ")", $C$: ",",
};

function unescapeRustLegacy(segment: string): string {
  return segment
    .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C)\$/g, (escape) => RUST_ESCAPES[escape] ?? escape)
    .replace(/\$u([0-9a-f]+)\$/g, (_match, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/\.\./g, "::");
}

const CTOR_DTOR = /^(C[1-5]|D[0-5])/;
const SUBSTITUTION_PREFIXES: Record<string, string> = {
  St: "std", Sa: "std::allocator", Sb: "std::basic_string", Ss: "std::string",
  Si: "std::istream", So: "std::ostream", Sd: "std::iostream",
};

/**
 * A native demangler for the common cases: the qualified name of plain and nested
 * Itanium names (`_ZN3foo3barEv` → `foo::bar`), constructors, destructors, `std::`
 * prefixes and Rust legacy symbols. Parameters are not decoded (the display name drops
 * them anyway). Returns undefined when the name uses something it does not understand,
 * so the caller keeps the mangled name rather than a wrong one.
 */
export function demangleNameNatively(mangled: string): string | undefined {
  const match = /^_{1,2}Z(.*)$/.exec(mangled.replace(/\.(cold|part|isra|constprop|lto_priv)[.\d\w]*$/, ""));
  if (!match) return undefined;
  const text = match[1] as string;
  const parts: string[] = [];
  let at = 0;
  const nested = text.startsWith("N");
  if (nested) {
    at = 1;
    while (text[at] === "K" || text[at] === "V" || text[at] === "r") at++;
  }
  const prefix = text.slice(at, at + 2);
  if (SUBSTITUTION_PREFIXES[prefix] !== undefined) {
    parts.push(SUBSTITUTION_PREFIXES[prefix] as string);
    at += 2;
  }
  for (;;) {
    const length = /^\d+/.exec(text.slice(at));
    if (length) {
      const size = Number(length[0]);
      at += length[0].length;
      if (at + size > text.length) return undefined;
      parts.push(text.slice(at, at + size));
      at += size;
      if (!nested) break;
      continue;
    }
    const special = CTOR_DTOR.exec(text.slice(at));
    if (special && nested && parts.length > 0) {
      const owner = parts[parts.length - 1] as string;
      parts.push(special[0].startsWith("D") ? `~${owner}` : owner);
      at += 2;
      continue;
    }
    if (nested && text[at] === "E") break;
    return undefined;
  }
  if (parts.length === 0) return undefined;
  const joined = parts.map((part) => (part.includes("$") || part.includes("..") ? unescapeRustLegacy(part) : part)).join("::");
  return stripRustHash(joined);
}
