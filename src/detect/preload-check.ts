// Did the preload take effect? glibc's loader skips a library it cannot preload, prints
// one line to stderr and runs the program anyway (distro-paths.md §5.5), so the launcher
// checks the loader's complaints and the process's mappings.

export interface PreloadError {
  /** The LD_PRELOAD entry as written ('/path/lib.so' or a bare soname). */
  library: string;
  /** The loader's reason: "cannot open shared object file", "wrong ELF class: ELFCLASS64", "invalid ELF header". */
  reason: string;
}

const PRELOAD_ERROR = /^ERROR: ld\.so: object '(.+)' from LD_PRELOAD cannot be preloaded \((.+)\): ignored\.$/;

/** The "cannot be preloaded … ignored." lines in a program's stderr. */
export function parseLoaderPreloadErrors(stderrText: string): PreloadError[] {
  const errors: PreloadError[] = [];
  for (const line of stderrText.split("\n")) {
    const match = PRELOAD_ERROR.exec(line.replace(/\r$/, ""));
    if (match) errors.push({ library: match[1] as string, reason: match[2] as string });
  }
  return errors;
}

/**
 * True when /proc/<pid>/maps text maps `libraryPath`. The kernel prints resolved paths,
 * so pass the real path (LibraryLocation.path); a " (deleted)" suffix still counts.
 */
export function mapsContainLibrary(mapsText: string, libraryPath: string): boolean {
  for (const line of mapsText.split("\n")) {
    // start-end perms offset dev inode path — the path may contain spaces.
    const match = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(.+)$/.exec(line);
    if (match === null) continue;
    const path = (match[1] as string).replace(/ \(deleted\)$/, "");
    if (path === libraryPath) return true;
  }
  return false;
}
