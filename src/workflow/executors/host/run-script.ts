/** Runs one `run:` step on the host: script file, shell, file commands, masked log with workflow commands. */

import { rm, stat } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { SlipwayError } from "../../../core/errors";
import { createFileCommands, type CollectedFileCommands } from "./file-commands";
import { LogProcessor, type LogSink } from "./log-processor";
import { runProcess, type ProcessOutcome } from "./process-tree";
import type { SecretMasker } from "./secret-masker";
import { buildShellInvocation } from "./shell";

export interface ScriptStepSpec {
  shell?: string;
  script: string;
  workingDirectory: string;
  env: Record<string, string>;
  /** Where the script and the file-command files go (the runner's RUNNER_TEMP). */
  tempDir: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  masker: SecretMasker;
  sink: LogSink;
  /** ACTIONS_STEP_DEBUG. */
  debug?: boolean;
  /** Between SIGTERM and SIGKILL; default 5000. */
  killGraceMs?: number;
}

export interface ScriptStepResult {
  outcome: ProcessOutcome;
  files: CollectedFileCommands;
  /** A file command that could not be read (e.g. an unterminated heredoc): GitHub fails the step. */
  fileCommandErrors: SlipwayError[];
  /** The shell as GitHub prints it under the step's `Run` header, e.g. `/usr/bin/bash -e {0}`. */
  shellCommand: string;
  /** Success means exit code 0, no timeout, no cancel and every file command read. */
  succeeded: boolean;
}

async function checkWorkingDirectory(dir: string): Promise<void> {
  const isDirectory = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDirectory) {
    throw new SlipwayError("ACTION_INVALID", `working-directory ${dir} does not exist or is not a directory`);
  }
}

/** The exit code GitHub reports: a process ended by signal N shows as 128 + N. */
function reportedExitCode(outcome: ProcessOutcome): number {
  if (outcome.exitCode !== null) return outcome.exitCode;
  const signalNumber = outcome.signal ? osConstants.signals[outcome.signal as NodeJS.Signals] : undefined;
  return signalNumber === undefined ? 1 : 128 + signalNumber;
}

function outcomeMessage(outcome: ProcessOutcome): string | undefined {
  if (outcome.timedOut) return "The action has timed out.";
  if (outcome.cancelled) return "The operation was canceled.";
  const code = reportedExitCode(outcome);
  return code === 0 ? undefined : `Process completed with exit code ${code}.`;
}

export async function runScriptStep(spec: ScriptStepSpec): Promise<ScriptStepResult> {
  await checkWorkingDirectory(spec.workingDirectory);
  const fileCommands = await createFileCommands(spec.tempDir);
  const env: Record<string, string> = { ...spec.env, ...fileCommands.paths };
  const logs = new LogProcessor(spec.masker, spec.sink, { debug: spec.debug });
  let scriptPath: string | undefined;
  try {
    const invocation = await buildShellInvocation(spec.shell, spec.script, spec.tempDir, env.PATH ?? process.env.PATH ?? "");
    scriptPath = invocation.scriptPath;
    let outcome: ProcessOutcome;
    try {
      outcome = await runProcess({
        command: invocation.command,
        args: invocation.args,
        cwd: spec.workingDirectory,
        env,
        timeoutMs: spec.timeoutMs,
        signal: spec.signal,
        killGraceMs: spec.killGraceMs,
        onStdout: (chunk) => {
          logs.write(chunk, "stdout");
          return spec.sink.drain?.();
        },
        onStderr: (chunk) => {
          logs.write(chunk, "stderr");
          return spec.sink.drain?.();
        },
      });
    } finally {
      logs.flush();
    }
    const message = outcomeMessage(outcome);
    if (message) logs.emit(`##[error]${message}`);

    const settled = await fileCommands.collectSettled();
    for (const error of settled.errors) {
      logs.emit(`##[error]${error.message}`);
      spec.sink.annotation({ level: "error", message: spec.masker.mask(error.message) });
    }
    return {
      outcome,
      files: settled.files,
      fileCommandErrors: settled.errors,
      shellCommand: invocation.displayCommand,
      succeeded: message === undefined && settled.errors.length === 0,
    };
  } finally {
    const leftovers = [...Object.values(fileCommands.paths), ...(scriptPath ? [scriptPath] : [])];
    await Promise.all(leftovers.map((file) => rm(file, { force: true })));
  }
}
