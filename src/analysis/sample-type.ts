// Which sample type a report shows: heap profiles default to inuse_space, CPU profiles to
// cpu; --alloc / --inuse pick the view, --objects counts objects (or CPU samples).
import { usageError } from "../core/errors.js";
import type { Profile } from "../profile/model.js";

export interface SampleTypeRequest {
  inuse?: boolean;
  alloc?: boolean;
  objects?: boolean;
}

const has = (profile: Profile, type: string) => profile.sampleTypes.some((t) => t.type === type);

/** The sample type name to analyse; a usage error when the profile cannot provide it. */
export function chooseSampleType(profile: Profile, request: SampleTypeRequest): string {
  if (request.inuse && request.alloc) throw usageError("--inuse and --alloc exclude each other", "pick one view: in-use (live) or allocated (cumulative)");
  const isCpu = has(profile, "cpu") || has(profile, "samples");
  if (isCpu && !has(profile, "inuse_space")) {
    if (request.inuse || request.alloc) throw usageError("--inuse/--alloc apply to heap profiles, not to this CPU profile", "drop the flag, or use --objects for sample counts");
    const type = request.objects ? "samples" : "cpu";
    return has(profile, type) ? type : profile.defaultSampleType;
  }
  const view = request.alloc ? "alloc" : request.inuse ? "inuse" : (profile.defaultSampleType.split("_")[0] ?? "inuse");
  const type = `${view}_${request.objects ? "objects" : "space"}`;
  if (has(profile, type)) return type;
  if (view === "alloc") {
    throw usageError(
      `this ${profile.format} profile has no allocated (cumulative) data`,
      "jemalloc records it only with MALLOC_CONF=prof_accum:true; or drop --alloc",
    );
  }
  const known = profile.sampleTypes.map((t) => t.type).join(", ");
  throw usageError(`this ${profile.format} profile has no sample type "${type}"`, `it has: ${known}`);
}
