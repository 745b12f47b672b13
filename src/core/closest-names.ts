// "Did you mean ...?" for preset names, preset fields and allocator option keys.

/** Edit distance where swapping two neighbouring letters counts once (prof_fianl → prof_final = 1). */
export function measureEditDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * Candidates close to `input`, best first: within an edit distance of a quarter of its
 * length (1 to 3), or else containing it ("prof" → "jemalloc-prof").
 */
export function findClosestNames(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(needle.length / 4)));
  const unique = [...new Set(candidates)];
  const near = unique
    .map((name) => ({ name, distance: measureEditDistance(needle, name.toLowerCase()) }))
    .filter((entry) => entry.distance <= allowed)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((entry) => entry.name);
  const found = near.length > 0 || needle.length < 3 ? near : unique.filter((name) => name.toLowerCase().includes(needle)).sort();
  return found.slice(0, limit);
}

/** "a", "a or b", "a, b or c". */
export function joinAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
