// JUnit XML for CI systems that show test reports (GitLab, Jenkins, GitHub test-report
// actions): one test case per gated metric; a regression is a failure, an inconclusive
// metric is reported as skipped, since nothing could be concluded.
import type { GateResult } from "./evaluate-gate.js";
import { formatMetricValue } from "./format-metric.js";
import { describeLimit } from "./render-gate.js";

export function renderGateJunit(result: GateResult, suiteName = "allocrun ci"): string {
  const failures = result.metrics.filter((m) => m.verdict === "regression").length;
  const skipped = result.metrics.filter((m) => m.verdict === "inconclusive").length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(suiteName)}" tests="${result.metrics.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${result.metrics.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
  ];
  for (const m of result.metrics) {
    const detail = `${m.metric}: baseline ${m.baseline === undefined ? "none" : formatMetricValue(m.metric, m.baseline)}, now ${formatMetricValue(m.metric, m.current)}, limit ${describeLimit(m)}`;
    const open = `    <testcase classname="memory" name="${escapeXml(m.metric)}">`;
    if (m.verdict === "regression") {
      lines.push(open, `      <failure message="${escapeXml(m.reason)}" type="memory-regression">${escapeXml(detail)}</failure>`, "    </testcase>");
    } else if (m.verdict === "inconclusive") {
      lines.push(open, `      <skipped message="${escapeXml(m.reason)}"/>`, "    </testcase>");
    } else {
      lines.push(open, `      <system-out>${escapeXml(`${detail}: ${m.reason}`)}</system-out>`, "    </testcase>");
    }
  }
  lines.push("  </testsuite>", "</testsuites>");
  return `${lines.join("\n")}\n`;
}

export function escapeXml(text: string): string {
  return dropControlCharacters(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** XML 1.0 cannot carry control characters other than tab and line ends at all. */
function dropControlCharacters(text: string): string {
  let kept = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) kept += char;
  }
  return kept;
}
