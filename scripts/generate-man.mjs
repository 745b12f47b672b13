#!/usr/bin/env node
// Writes dist/man/allocrun.1 (run by `npm run build` after tsc): the command table and
// every command's help, as `allocrun COMMAND --help` prints them, rendered by
// src/cli/man-page.ts. package.json's "man" field installs it with the package.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { describeCommands } from "../dist/cli/commands/completion.js";
import { renderManPage } from "../dist/cli/man-page.js";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));
const commands = (await describeCommands()).filter((command) => command.name !== "help");
mkdirSync("dist/man", { recursive: true });
const staging = `dist/man/allocrun.1.${process.pid}.tmp`;
writeFileSync(staging, renderManPage(version, commands));
renameSync(staging, "dist/man/allocrun.1");
