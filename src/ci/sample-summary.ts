// Summarises the values one metric took over several runs: the median is the figure that
// is gated, the relative spread is the noise a change has to exceed before it counts.

export interface SampleSummary {
  /** The gated figure: the median of the samples. */
  value: number;
  min: number;
  max: number;
  /** (max - min) / median: the whole range seen, relative to the median; 0 for one run. */
  spreadFraction: number;
  samples: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarizeSamples(samples: readonly number[]): SampleSummary {
  const value = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const spreadFraction = value > 0 ? (max - min) / value : 0;
  return { value, min, max, spreadFraction, samples: [...samples] };
}
