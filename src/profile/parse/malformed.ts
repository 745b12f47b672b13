// "Mine, but broken": the errors a parser raises once it has recognised its format. They
// name the file and where it broke (line for text formats, byte offset for binary ones).
import { inputError, type AllocrunError } from "../../core/errors.js";
import { quoteLine } from "./text-scan.js";

export function malformedLine(
  fileName: string,
  lineNumber: number,
  problem: string,
  line: string | undefined,
  hint: string,
): AllocrunError {
  const shown = line === undefined ? "" : ` (${quoteLine(line)})`;
  return inputError(`${fileName}:${lineNumber}: ${problem}${shown}`, hint);
}

export function malformedAtOffset(fileName: string, byteOffset: number, problem: string, hint: string): AllocrunError {
  return inputError(`${fileName}: at byte offset ${byteOffset}: ${problem}`, hint);
}
