/** The `shell:` of a `run:` step: GitHub's shell table, custom `{0}` templates, and the script file it runs. */

import { access, stat, writeFile, chmod } from "node:fs/promises";
import { constants } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { SlipwayError } from "../../../core/errors";

export interface ShellInvocation {
  /** Absolute path of the program, resolved on PATH. */
  command: string;
  args: string[];
  scriptPath: string;
  /** The template as GitHub logs it, e.g. `/usr/bin/bash -e {0}`. */
  displayCommand: string;
}

interface ShellTemplate {
  /** Candidates in order of preference; the first found on PATH runs. */
  programs: string[];
  args: string;
}

/** GitHub's table for Linux runners, plus `node` (a slipway extra). */
const builtinShells: Record<string, ShellTemplate> = {
  // No `shell:` → bash with sh's arguments (no pipefail), falling back to sh: what GitHub's runner does.
  "": { programs: ["bash", "sh"], args: "-e {0}" },
  bash: { programs: ["bash"], args: "--noprofile --norc -eo pipefail {0}" },
  sh: { programs: ["sh"], args: "-e {0}" },
  python: { programs: ["python", "python3"], args: "{0}" },
  node: { programs: ["node"], args: "{0}" },
  pwsh: { programs: ["pwsh"], args: '-command ". \'{0}\'"' },
};

const windowsOnlyShells = new Set(["cmd", "powershell"]);

const extensionByProgram: Record<string, string> = {
  bash: ".sh",
  sh: ".sh",
  dash: ".sh",
  zsh: ".sh",
  ksh: ".sh",
  python: ".py",
  python3: ".py",
  node: ".js",
  pwsh: ".ps1",
};

/**
 * Splits an argument string the way .NET does on Linux (GitHub's runner passes it to Process.Start):
 * whitespace separates, double quotes group, `\"` is a literal quote. Single quotes are ordinary characters.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = "";
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\" && text[i + 1] === '"') {
      current += '"';
      started = true;
      i++;
    } else if (char === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if (!inQuotes && /\s/.test(char)) {
      if (started) args.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (inQuotes) throw new SlipwayError("ACTION_INVALID", `shell: unterminated double quote in '${text}'`);
  if (started) args.push(current);
  return args;
}

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    await access(candidate, constants.X_OK);
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

/** Resolves a program name on PATH (a name with a slash is taken as a path). */
export async function findExecutable(program: string, pathVariable = process.env.PATH ?? ""): Promise<string | undefined> {
  if (program.includes("/")) return (await isExecutableFile(program)) ? path.resolve(program) : undefined;
  for (const dir of pathVariable.split(":")) {
    if (dir === "") continue;
    const candidate = path.join(dir, program);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function parseShellOption(shell: string | undefined): ShellTemplate {
  const option = (shell ?? "").trim();
  const builtin = builtinShells[option];
  if (builtin) return builtin;
  if (windowsOnlyShells.has(option)) {
    throw new SlipwayError("ACTION_INVALID", `shell: '${option}' is only available on Windows runners`);
  }
  if (!option.includes("{0}")) {
    throw new SlipwayError("ACTION_INVALID", `shell: '${option}' is not a known shell and has no {0} placeholder for the script path`, {
      hint: "Use bash, sh, python, node or pwsh, or a command template such as `perl {0}`.",
    });
  }
  // GitHub splits the option at its first space: program, then the argument string.
  const space = option.search(/\s/);
  return space < 0 ? { programs: [option], args: "" } : { programs: [option.slice(0, space)], args: option.slice(space + 1) };
}

/** The shell as GitHub prints it under a step's `Run` header, before the program is resolved: `bash -e {0}`. */
export function describeShell(shell: string | undefined): string {
  const template = parseShellOption(shell);
  return `${template.programs[0]} ${template.args}`.trim();
}

function scriptContent(program: string, script: string): string {
  if (program !== "pwsh") return script;
  // What GitHub's runner wraps around PowerShell scripts, so errors stop the script and exit codes propagate.
  return `$ErrorActionPreference = 'stop'\n${script}\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }`;
}

/** Resolves the shell, writes the script (mode 0700) into scriptDir and returns what to spawn. */
export async function buildShellInvocation(
  shell: string | undefined,
  script: string,
  scriptDir: string,
  pathVariable: string = process.env.PATH ?? "",
): Promise<ShellInvocation> {
  const template = parseShellOption(shell);
  let command: string | undefined;
  let program = template.programs[0];
  for (const candidate of template.programs) {
    command = await findExecutable(candidate, pathVariable);
    program = candidate;
    if (command) break;
  }
  if (!command) {
    throw new SlipwayError("ACTION_INVALID", `shell: '${template.programs.join("' or '")}' was not found on PATH`);
  }
  const programName = path.basename(program);
  const scriptPath = path.join(scriptDir, `${randomUUID()}${extensionByProgram[programName] ?? ""}`);
  await writeFile(scriptPath, scriptContent(programName, script), { encoding: "utf8", mode: 0o700 });
  await chmod(scriptPath, 0o700); // the umask may have narrowed the mode given to writeFile
  const args = splitArguments(template.args).map((arg) => arg.split("{0}").join(scriptPath));
  return { command, args, scriptPath, displayCommand: `${command} ${template.args}`.trim() };
}
