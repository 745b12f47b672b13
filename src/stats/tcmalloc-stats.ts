// gperftools tcmalloc's exit statistics (`MALLOCSTATS=1` or more): the "MALLOC:" block.
// Higher levels append per-size-class and PageHeap tables, which are not read here.

export interface TcmallocStats {
  bytesInUseByApplication: number;
  pageHeapFreelistBytes: number;
  centralCacheFreelistBytes: number;
  transferCacheFreelistBytes: number;
  threadCacheFreelistBytes: number;
  metadataBytes: number;
  /** "Actual memory used (physical + swap)": the six figures above added up. */
  actualMemoryUsedBytes: number;
  /** "Bytes released to OS (aka unmapped)": address space without physical memory. */
  releasedToOsBytes: number;
  virtualAddressSpaceUsedBytes: number;
  spansInUse: number | null;
  threadHeapsInUse: number | null;
  pageSizeBytes: number | null;
  /** Every "MALLOC:" figure by its label as printed, for labels other versions add. */
  byLabel: Record<string, number>;
}

const AMOUNT_LINE = /^MALLOC:\s+[+=]?\s+(\d+)\s+\(\s*[\d.]+ MiB\) (.+?)\s*$/;
const COUNT_LINE = /^MALLOC:\s+(\d+)\s{2,}(.+?)\s*$/;

const REQUIRED_LABELS = [
  "Bytes in use by application",
  "Bytes in page heap freelist",
  "Bytes in central cache freelist",
  "Bytes in transfer cache freelist",
  "Bytes in thread cache freelists",
  "Bytes in malloc metadata",
  "Actual memory used (physical + swap)",
  "Bytes released to OS (aka unmapped)",
  "Virtual address space used",
];

/** The first MALLOCSTATS block in `text`; undefined when there is none or it is incomplete. */
export function parseTcmallocStats(text: string): TcmallocStats | undefined {
  const byLabel: Record<string, number> = {};
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith("MALLOC:")) {
      // The block is contiguous between dashed rules: the first other line ends it.
      if (inBlock && !line.startsWith("----")) break;
      continue;
    }
    inBlock = true;
    const match = AMOUNT_LINE.exec(line) ?? COUNT_LINE.exec(line);
    if (match) byLabel[match[2] as string] = Number(match[1]);
  }
  if (!REQUIRED_LABELS.every((label) => label in byLabel)) return undefined;
  const amount = (label: string) => byLabel[label] as number;
  const count = (label: string) => byLabel[label] ?? null;
  return {
    bytesInUseByApplication: amount("Bytes in use by application"),
    pageHeapFreelistBytes: amount("Bytes in page heap freelist"),
    centralCacheFreelistBytes: amount("Bytes in central cache freelist"),
    transferCacheFreelistBytes: amount("Bytes in transfer cache freelist"),
    threadCacheFreelistBytes: amount("Bytes in thread cache freelists"),
    metadataBytes: amount("Bytes in malloc metadata"),
    actualMemoryUsedBytes: amount("Actual memory used (physical + swap)"),
    releasedToOsBytes: amount("Bytes released to OS (aka unmapped)"),
    virtualAddressSpaceUsedBytes: amount("Virtual address space used"),
    spansInUse: count("Spans in use"),
    threadHeapsInUse: count("Thread heaps in use"),
    pageSizeBytes: count("Tcmalloc page size"),
    byLabel,
  };
}
