/** Turns a step's raw output into masked log lines and annotations, acting on workflow commands as GitHub's runner does. */

import { LineSplitter } from "./line-splitter";
import type { SecretMasker } from "./secret-masker";
import { parseWorkflowCommand, type WorkflowCommand } from "./workflow-commands";

export type AnnotationLevel = "error" | "warning" | "notice";

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title?: string;
}

export interface LogSink {
  line(text: string): void;
  annotation(annotation: Annotation): void;
  /** A promise while the consumer is behind: the step's output is paused until it settles. */
  drain?(): Promise<void> | undefined;
}

export interface LogProcessorOptions {
  /** ACTIONS_STEP_DEBUG: print `::debug::` messages, and echo commands by default. */
  debug?: boolean;
}

export type OutputStream = "stdout" | "stderr";

/** Commands the runner knows; any other `::name::` line is printed as it is. */
const knownCommands = new Set([
  "add-mask", "add-matcher", "remove-matcher", "debug", "error", "warning", "notice", "group", "endgroup",
  "echo", "stop-commands", "set-output", "set-env", "add-path", "save-state",
]);

const disabledCommands: Record<string, string> = {
  "set-output": 'echo "{name}=value" >> "$GITHUB_OUTPUT"',
  "save-state": 'echo "{name}=value" >> "$GITHUB_STATE"',
  "set-env": 'echo "{name}=value" >> "$GITHUB_ENV"',
  "add-path": 'echo "/some/dir" >> "$GITHUB_PATH"',
};

function optionalInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

export class LogProcessor {
  private readonly splitters: Record<OutputStream, LineSplitter>;
  private readonly debug: boolean;
  private echo: boolean;
  private stopToken: string | undefined;

  constructor(
    private readonly masker: SecretMasker,
    private readonly sink: LogSink,
    options: LogProcessorOptions = {},
  ) {
    this.debug = options.debug ?? false;
    this.echo = this.debug;
    // One splitter per stream, so a partial stdout line is never glued to stderr output.
    this.splitters = {
      stdout: new LineSplitter((line) => this.processLine(line)),
      stderr: new LineSplitter((line) => this.processLine(line)),
    };
  }

  write(chunk: Buffer | string, stream: OutputStream = "stdout"): void {
    this.splitters[stream].write(chunk);
  }

  /** Emits trailing partial lines. */
  flush(): void {
    this.splitters.stdout.flush();
    this.splitters.stderr.flush();
  }

  /** Prints a line the runner itself writes (e.g. `##[error]Process completed with exit code 1.`), masked. */
  emit(text: string): void {
    this.sink.line(this.masker.mask(text));
  }

  private emitPrefixed(prefix: string, message: string): void {
    for (const line of message.split(/\r?\n/)) this.sink.line(prefix + this.masker.mask(line));
  }

  private processLine(line: string): void {
    // Fast path: most lines are not commands.
    const parsed = line.includes("::") ? parseWorkflowCommand(line) : undefined;
    if (!parsed) return this.emit(line);
    // GitHub matches command names (and the stop token) case-insensitively.
    const command = { ...parsed, command: parsed.command.toLowerCase() };
    if (this.stopToken !== undefined) {
      if (command.command === this.stopToken.toLowerCase()) {
        this.stopToken = undefined;
        if (this.echo) this.emit(line);
        return;
      }
      return this.emit(line);
    }
    if (!knownCommands.has(command.command)) return this.emit(line);
    this.runCommand(command);
    if (this.echo && command.command !== "add-mask") this.emit(line);
  }

  private runCommand(command: WorkflowCommand): void {
    const { message } = command;
    switch (command.command) {
      case "add-mask":
        if (message.trim() === "") this.emitPrefixed("##[warning]", "Can't add secret mask for empty string in ::add-mask:: command.");
        else this.masker.add(message);
        return;
      case "group":
        return this.emitPrefixed("##[group]", message);
      case "endgroup":
        return this.sink.line("##[endgroup]");
      case "debug":
        if (this.debug) this.emitPrefixed("##[debug]", message);
        return;
      case "error":
      case "warning":
      case "notice":
        return this.annotate(command.command, command);
      case "echo":
        return this.setEcho(message);
      case "stop-commands":
        return this.stopCommands(message);
      case "add-matcher":
      case "remove-matcher":
        if (this.debug) this.emitPrefixed("##[debug]", `Problem matchers are not supported; ignored ::${command.command}::${message}`);
        return;
      default:
        return this.refuseDisabled(command);
    }
  }

  private annotate(level: AnnotationLevel, command: WorkflowCommand): void {
    const { properties } = command;
    const mask = (text: string | undefined) => (text === undefined ? undefined : this.masker.mask(text));
    const annotation: Annotation = { level, message: this.masker.mask(command.message) };
    const file = mask(properties.file);
    const title = mask(properties.title);
    const line = optionalInteger(properties.line);
    const col = optionalInteger(properties.col);
    const endLine = optionalInteger(properties.endLine);
    const endColumn = optionalInteger(properties.endColumn);
    if (file !== undefined) annotation.file = file;
    if (line !== undefined) annotation.line = line;
    if (col !== undefined) annotation.col = col;
    if (endLine !== undefined) annotation.endLine = endLine;
    if (endColumn !== undefined) annotation.endColumn = endColumn;
    if (title !== undefined) annotation.title = title;
    this.sink.annotation(annotation);
    this.emitPrefixed(`##[${level}]`, command.message);
  }

  private setEcho(message: string): void {
    const value = message.trim().toLowerCase();
    if (value === "on") this.echo = true;
    else if (value === "off") this.echo = false;
    else this.emitPrefixed("##[warning]", `Invalid echo command value '${message}'; use ::echo::on or ::echo::off.`);
  }

  private stopCommands(token: string): void {
    if (token === "" || knownCommands.has(token) || token === "pause-logging") {
      this.emitPrefixed("##[warning]", `Invalid stop-commands token '${token}': use a unique random string.`);
      return;
    }
    this.stopToken = token;
  }

  private refuseDisabled(command: WorkflowCommand): void {
    const name = command.properties.name ?? "name";
    const replacement = (disabledCommands[command.command] ?? "").replace("{name}", name);
    this.emitPrefixed(
      "##[warning]",
      `The \`${command.command}\` command is disabled. Use environment files instead: ${replacement}`,
    );
  }
}
