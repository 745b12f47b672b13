// allocrun(1), written at build time (scripts/generate-man.mjs) from the same help texts
// that `allocrun COMMAND --help` prints, so the page and the CLI cannot disagree.
export interface ManPageCommand {
  name: string;
  synopsis: string;
  summary: string;
  help: string;
}

/** Text as roff shows it literally: backslashes and dashes escaped, non-ASCII as \[uXXXX], no line read as a request. */
function escapeRoff(text: string): string {
  return text
    .replaceAll("\\", "\\e")
    .replaceAll("-", "\\-")
    .replace(/[^\t\n -~]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`)
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

export function renderManPage(version: string, commands: readonly ManPageCommand[]): string {
  const lines = [
    `.TH ALLOCRUN 1 "" "allocrun ${version}" "User Commands"`,
    ".SH NAME",
    "allocrun \\- run native programs under jemalloc, tcmalloc, mimalloc or glibc malloc; measure, profile and compare their memory",
    ".SH SYNOPSIS",
  ];
  for (const command of commands) lines.push(".br", `.B allocrun`, escapeRoff(command.synopsis.replace(/^\[run\] /, "")));
  lines.push(".SH DESCRIPTION", escapeRoff("The default command runs PROGRAM under the chosen allocator, samples its memory and keeps everything in a run folder with manifest.json. Each command below prints the same text with allocrun COMMAND --help."));
  lines.push(".SH COMMANDS");
  for (const command of commands) {
    lines.push(`.SS ${escapeRoff(command.name)}`, escapeRoff(command.summary), ".PP", ".nf", escapeRoff(command.help.trimEnd()), ".fi");
  }
  lines.push(".SH SEE ALSO", "README.md and examples/ci/README.md in the allocrun package.");
  return `${lines.join("\n")}\n`;
}
