/** The runner's file commands: fresh GITHUB_ENV/OUTPUT/PATH/STEP_SUMMARY/STATE files per step, read back after it. */

import { randomUUID } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { SlipwayError, describeError } from "../../../core/errors";
import { parseKeyValueFile, parsePathFile } from "./env-file-parser";

export type FileCommandName = "GITHUB_ENV" | "GITHUB_OUTPUT" | "GITHUB_PATH" | "GITHUB_STEP_SUMMARY" | "GITHUB_STATE";

export type FileCommandPaths = Record<FileCommandName, string>;

export interface CollectedFileCommands {
  env: Record<string, string>;
  outputs: Record<string, string>;
  /** GITHUB_PATH entries in the order written: GitHub prepends each in turn, so the last has the highest priority. */
  path: string[];
  summary: string;
  state: Record<string, string>;
}

export interface SettledFileCommands {
  /** What could be read; a file that failed contributes nothing. */
  files: CollectedFileCommands;
  /** One error per file that failed, as GitHub fails the step but still applies the other files. */
  errors: SlipwayError[];
}

export interface FileCommands {
  paths: FileCommandPaths;
  /** Reads every file; throws the first problem as a SlipwayError (ACTION_INVALID). */
  collect(): Promise<CollectedFileCommands>;
  /** Reads every file; problems are returned per file instead of thrown. */
  collectSettled(): Promise<SettledFileCommands>;
}

/** GitHub refuses to upload a larger job summary. */
export const maxStepSummaryBytes = 1024 * 1024;

const fileNamePrefix: Record<FileCommandName, string> = {
  GITHUB_ENV: "set_env",
  GITHUB_OUTPUT: "set_output",
  GITHUB_PATH: "add_path",
  GITHUB_STEP_SUMMARY: "step_summary",
  GITHUB_STATE: "save_state",
};

function refuseEnvironmentName(name: string): string | undefined {
  if (name.includes("=")) return `the environment variable name '${name}' contains '='`;
  return undefined;
}

export function emptyFileCommands(): CollectedFileCommands {
  return { env: {}, outputs: {}, path: [], summary: "", state: {} };
}

async function readWhole(filePath: string, label: FileCommandName): Promise<string> {
  try {
    return await readFile(filePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ""; // the step deleted it: nothing to apply
    throw new SlipwayError("ACTION_INVALID", `${label}: could not read ${filePath}: ${describeError(error)}`, { cause: error });
  }
}

async function readSummary(filePath: string): Promise<string> {
  const size = await stat(filePath).then((s) => s.size, () => 0);
  if (size > maxStepSummaryBytes) {
    throw new SlipwayError(
      "ACTION_INVALID",
      `GITHUB_STEP_SUMMARY: ${size} bytes is more than the ${maxStepSummaryBytes} bytes a step summary may hold; it was not kept`,
    );
  }
  return readWhole(filePath, "GITHUB_STEP_SUMMARY");
}

function toSlipwayError(error: unknown, label: FileCommandName): SlipwayError {
  if (error instanceof SlipwayError) return error;
  return new SlipwayError("ACTION_INVALID", `${label}: ${describeError(error)}`, { cause: error });
}

/** Creates the five empty files in dir (names unique per call, so steps never share them). */
export async function createFileCommands(dir: string): Promise<FileCommands> {
  const id = randomUUID();
  const names = Object.keys(fileNamePrefix) as FileCommandName[];
  const paths = Object.fromEntries(names.map((name) => [name, path.join(dir, `${fileNamePrefix[name]}_${id}`)])) as FileCommandPaths;
  await Promise.all(names.map((name) => writeFile(paths[name], "", { mode: 0o600 })));

  async function collectSettled(): Promise<SettledFileCommands> {
    const files = emptyFileCommands();
    const errors: SlipwayError[] = [];
    const attempt = async (label: FileCommandName, apply: () => Promise<void>): Promise<void> => {
      try {
        await apply();
      } catch (error) {
        errors.push(toSlipwayError(error, label));
      }
    };
    const keyValue = async (label: FileCommandName, checkName?: (name: string) => string | undefined) =>
      parseKeyValueFile(await readWhole(paths[label], label), { label, filePath: paths[label], checkName });
    await attempt("GITHUB_ENV", async () => void (files.env = await keyValue("GITHUB_ENV", refuseEnvironmentName)));
    await attempt("GITHUB_OUTPUT", async () => void (files.outputs = await keyValue("GITHUB_OUTPUT")));
    await attempt("GITHUB_STATE", async () => void (files.state = await keyValue("GITHUB_STATE")));
    await attempt("GITHUB_PATH", async () => void (files.path = parsePathFile(await readWhole(paths.GITHUB_PATH, "GITHUB_PATH"))));
    await attempt("GITHUB_STEP_SUMMARY", async () => void (files.summary = await readSummary(paths.GITHUB_STEP_SUMMARY)));
    return { files, errors };
  }

  return {
    paths,
    collectSettled,
    async collect() {
      const settled = await collectSettled();
      if (settled.errors.length > 0) throw settled.errors[0];
      return settled.files;
    },
  };
}
