// Binary search over ascending addresses, shared by the symbol and unwind-range indexes.

/** Index of the last value ≤ target in an ascending list, or -1 when all are above it. */
export function lastAtOrBelow(values: ArrayLike<number>, target: number): number {
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) <= target) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
