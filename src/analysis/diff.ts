// NEW − OLD per function (`--base`): what grew and what shrank between two profiles of the
// same program. Functions are matched by name, file and object, so a rebuilt binary with
// moved addresses still lines up.
import { computeFunctionTable, type FunctionRow } from "./function-table.js";
import type { Stacks } from "./stack-table.js";

export interface DiffRow extends FunctionRow {
  baseFlat: number;
  baseCum: number;
  deltaFlat: number;
  deltaCum: number;
}

export interface ProfileDiff {
  rows: DiffRow[];
  total: number;
  baseTotal: number;
}

/** Rows sorted by the size of the flat change (growth and shrinkage alike), largest first. */
export function diffProfiles(current: Stacks, base: Stacks): ProfileDiff {
  const rows = new Map<string, DiffRow>();
  for (const row of computeFunctionTable(current)) {
    rows.set(row.fn.key, { ...row, baseFlat: 0, baseCum: 0, deltaFlat: row.flat, deltaCum: row.cum });
  }
  for (const old of computeFunctionTable(base)) {
    const row = rows.get(old.fn.key) ?? { fn: old.fn, line: old.line, flat: 0, cum: 0, baseFlat: 0, baseCum: 0, deltaFlat: 0, deltaCum: 0 };
    row.baseFlat = old.flat;
    row.baseCum = old.cum;
    row.deltaFlat = row.flat - old.flat;
    row.deltaCum = row.cum - old.cum;
    rows.set(old.fn.key, row);
  }
  const sorted = [...rows.values()].sort(
    (a, b) => Math.abs(b.deltaFlat) - Math.abs(a.deltaFlat) || Math.abs(b.deltaCum) - Math.abs(a.deltaCum) || (a.fn.name < b.fn.name ? -1 : 1),
  );
  return { rows: sorted, total: current.total, baseTotal: base.total };
}
