// Rust programs built with tikv-jemallocator keep their heap in a jemalloc compiled into
// the executable with the _rjem_ prefix; it reads _RJEM_MALLOC_CONF and ignores MALLOC_CONF
// (allocator-knobs.md §1.5). Its dumps are ordinary heap_v2 files and the live commands
// find it by its _rjem_mallctl symbol, so only the configuration needs translating.

export const RJEM_CONF_VARIABLE = "_RJEM_MALLOC_CONF";

/**
 * Options that produce output (profiles, statistics): given only to the embedded copy, so
 * that a jemalloc still preloaded for the program's C allocations does not write a second
 * series of dumps with the same prefix and pid.
 */
const OUTPUT_OPTION = /^(prof|prof_\w+|lg_prof_\w+|stats_print|stats_print_opts)$/;

type ConfEntries = Array<[string, string]>;

/** "k:v,k:v" as jemalloc reads it: the key ends at the first ':', the value at the next ','. */
function parseConf(text: string): ConfEntries {
  return text
    .split(",")
    .filter((pair) => pair !== "")
    .map((pair): [string, string] => {
      const colon = pair.indexOf(":");
      return colon === -1 ? [pair, ""] : [pair.slice(0, colon), pair.slice(colon + 1)];
    });
}

const renderConf = (entries: Iterable<[string, string]>): string => [...entries].map(([key, value]) => `${key}:${value}`).join(",");

/**
 * The environment for a program whose heap is an _rjem_-prefixed jemalloc: MALLOC_CONF's
 * options are given to _RJEM_MALLOC_CONF too (a _RJEM_MALLOC_CONF the user set wins, key
 * by key), and the output options leave MALLOC_CONF. Everything else is kept, LD_PRELOAD
 * included (the C side may still use a preloaded allocator). Pure: `vars` is not changed.
 */
export function rjemEnvironmentFor(vars: Readonly<Record<string, string>>): Record<string, string> {
  const result = { ...vars };
  const conf = vars.MALLOC_CONF;
  if (conf === undefined || conf === "") return result;
  const entries = parseConf(conf);
  const merged = new Map(entries);
  for (const [key, value] of parseConf(vars[RJEM_CONF_VARIABLE] ?? "")) merged.set(key, value);
  result[RJEM_CONF_VARIABLE] = renderConf(merged);
  const rest = entries.filter(([key]) => !OUTPUT_OPTION.test(key));
  if (rest.length > 0) result.MALLOC_CONF = renderConf(rest);
  else delete result.MALLOC_CONF;
  return result;
}
