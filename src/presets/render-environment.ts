// Turns an EnvPlan into the variables allocrun sets on the program (and records in the
// manifest): LD_PRELOAD, the allocator's option variables, and the rest, with {out}
// and {prog} filled in.
import { basename, isAbsolute } from "node:path";
import type { LibraryName } from "../core/allocators.js";
import { environmentError, usageError } from "../core/errors.js";
import type { EnvPlan } from "./compose-env-plan.js";
import { renderConfVariables } from "./conf-dialects.js";

export interface RenderOptions {
  /** Where each logical library of plan.preload lives (from library detection). */
  libraryPaths: Partial<Record<LibraryName, string>>;
  /** The run folder, absolute: profile prefixes must not depend on the program's working directory. */
  outDir: string;
  /** The program being run; {prog} becomes its file name. Without it, variables using {prog} are left out. */
  programPath?: string;
}

export function renderEnvironment(plan: EnvPlan, options: RenderOptions): Record<string, string> {
  if (!isAbsolute(options.outDir)) throw new Error(`renderEnvironment needs an absolute outDir, got "${options.outDir}"`);
  return renderPlanVariables(plan, {
    libraryPath: (name) => {
      const path = options.libraryPaths[name];
      if (path === undefined) throw environmentError(`no ${name} library was found to preload`, "install it, or give its path (allocrun doctor shows where allocrun looks)");
      return path;
    },
    placeholders: { "{out}": options.outDir, "{prog}": options.programPath === undefined ? undefined : basename(options.programPath) },
  });
}

export interface PlanRendering {
  libraryPath(name: LibraryName): string;
  /** Values for {out} and {prog}; undefined drops the variables that use it. */
  placeholders: Record<string, string | undefined>;
}

/** The rendering itself, also used by `presets show` with symbolic paths. */
export function renderPlanVariables(plan: EnvPlan, rendering: PlanRendering): Record<string, string> {
  const expand = (text: string): string | undefined => {
    let result = text;
    for (const [placeholder, value] of Object.entries(rendering.placeholders)) {
      if (!result.includes(placeholder)) continue;
      if (value === undefined) return undefined;
      result = result.replaceAll(placeholder, value);
    }
    return result;
  };
  const variables: Record<string, string> = {};
  const preload = [...new Set([...plan.preload.map((name) => rendering.libraryPath(name)), ...plan.extraPreloadPaths])];
  for (const path of preload) {
    if (/[\s:]/.test(path)) throw usageError(`cannot preload "${path}": LD_PRELOAD splits paths at spaces and colons`, "link or copy the library to a path without them");
  }
  if (preload.length > 0) variables.LD_PRELOAD = preload.join(" ");
  const conf = plan.conf.flatMap(([key, value]): Array<[string, string]> => {
    const expanded = expand(value);
    return expanded === undefined ? [] : [[key, expanded]];
  });
  Object.assign(variables, renderConfVariables(plan.allocator, conf));
  for (const [name, value] of Object.entries(plan.env)) {
    const expanded = expand(value);
    if (expanded !== undefined) variables[name] = expanded;
  }
  return variables;
}
