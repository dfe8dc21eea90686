/** The host executor's public surface: what the job runner calls for each `run:` step. */

export { runScriptStep, type ScriptStepSpec, type ScriptStepResult } from "./run-script";
export {
  runProcess,
  killProcessTree,
  killProcessesWithEnvironment,
  processTrackingVariable,
  type ProcessSpec,
  type ProcessOutcome,
} from "./process-tree";
export { buildShellInvocation, describeShell, splitArguments, findExecutable, type ShellInvocation } from "./shell";
export {
  createFileCommands,
  emptyFileCommands,
  type FileCommands,
  type FileCommandName,
  type FileCommandPaths,
  type CollectedFileCommands,
  type SettledFileCommands,
} from "./file-commands";
export { parseKeyValueFile, parsePathFile } from "./env-file-parser";
export {
  parseWorkflowCommand,
  escapeCommandData,
  escapeCommandProperty,
  unescapeCommandData,
  unescapeCommandProperty,
  type WorkflowCommand,
} from "./workflow-commands";
export { SecretMasker, base64Forms, maskReplacement } from "./secret-masker";
export { LogProcessor, type LogSink, type Annotation, type AnnotationLevel, type LogProcessorOptions, type OutputStream } from "./log-processor";
export { LineSplitter, maxLineBytes } from "./line-splitter";
