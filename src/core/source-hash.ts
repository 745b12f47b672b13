// Which sources a bundle was built from: scripts/bundle.mjs replaces the name below with a
// hash of src/. Caches of facts that the code decides (the ELF facts of the run path) are
// named by it, so a changed allocrun never reuses what an older one concluded.
declare const __ALLOCRUN_SOURCE_HASH__: string | undefined;

/** Undefined when running from source (tests, tsc output): such callers cache nothing. */
export const SOURCE_HASH: string | undefined = typeof __ALLOCRUN_SOURCE_HASH__ === "string" ? __ALLOCRUN_SOURCE_HASH__ : undefined;
