// Machine and library detection. Imports only node: builtins and src/elf, so it is
// safe on the `run` hot path. Finding and running analysis tools (which, execa) lives
// in find-tool.ts, deliberately not re-exported here.
export { parseOsRelease, readOsRelease, distroFamily, DISTRO_FAMILIES, OS_RELEASE_PATHS, type OsRelease, type DistroFamily } from "./os-release.js";
export { multiarchTriplet, multiarchTripletForElf, hostElfMachine } from "./multiarch.js";
export { parseLdconfigCache, selectLdconfigEntries, ldconfigAbisFor, readLdconfigCache, type LdconfigEntry } from "./ldconfig.js";
export { LIBRARY_SONAMES, packageFor, installCommand, installHint, libraryEnvVariable } from "./packages.js";
export {
  locateLibrary, locateLibraryIn, createSystemView, librarySearchDirectories,
  type SystemView, type LocateLibraryOptions, type LibraryLocation, type LibrarySource, type TargetElf,
} from "./locate-library.js";
export { mapsContainLibrary, parseLoaderPreloadErrors, type PreloadError } from "./preload-check.js";
export { isToolName, TOOL_NAMES, type ToolName } from "./tools.js";
