// What every check returns (the target checks here, doctor's machine checks): one line of what is wrong, one line of what to do.
// `allocrun doctor` prints them; `allocrun run` turns blocking ones into errors and
// warnings into stderr lines, so both commands speak with the same words.

export type Severity = "ok" | "info" | "warning" | "blocking";

export interface Finding {
  /** Stable identifier, e.g. "target.static"; part of the --json output. */
  id: string;
  severity: Severity;
  /** One line: what was found (or what is wrong). */
  what: string;
  /** One line: what to do about it, for this distribution. */
  fix?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { ok: 0, info: 1, warning: 2, blocking: 3 };

export function isBlocking(finding: Finding): boolean {
  return finding.severity === "blocking";
}

/** Most severe first, otherwise in the order the checks produced them. */
export function sortBySeverity(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] || a.index - b.index)
    .map(({ finding }) => finding);
}

export function finding(id: string, severity: Severity, what: string, fix?: string): Finding {
  return fix === undefined ? { id, severity, what } : { id, severity, what, fix };
}
