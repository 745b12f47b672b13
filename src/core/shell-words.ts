// Commands shown to the user are pasted back into a shell: each word is quoted unless it
// is made only of characters no shell treats specially.

/** One word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function quoteShellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** argv as one line a shell runs as the same argv. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map(quoteShellWord).join(" ");
}
