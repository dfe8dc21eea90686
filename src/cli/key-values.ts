/** `k=v` flags and dotenv-style secret files, with errors that name the flag or the file and line. */

import { readFile } from "node:fs/promises";
import { SlipwayError } from "../core/errors";

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseKeyValueFlags(flag: string, values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const index = value.indexOf("=");
    if (index <= 0) throw new SlipwayError("USAGE", `${flag} expects KEY=VALUE, got '${value}'.`);
    result[value.slice(0, index)] = value.slice(index + 1);
  }
  return result;
}

/** KEY=VALUE lines; `#` comments; optional single or double quotes; `export ` prefixes allowed. */
export function parseSecretFile(file: string, content: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim().replace(/^export\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    const match = line.match(/^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!match) throw new SlipwayError("CONFIG_INVALID", `${file}:${index + 1}: expected NAME=VALUE.`);
    let value = match[2] ?? "";
    if ((value.startsWith('"') && value.endsWith('"') && value.length >= 2) || (value.startsWith("'") && value.endsWith("'") && value.length >= 2)) {
      value = value.slice(1, -1);
      if (match[2]!.startsWith('"')) value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    }
    secrets[match[1]!] = value;
  });
  return secrets;
}

/** Secrets from SLIPWAY_SECRET_<NAME> variables, then --secret-file, then --secret NAME[=VALUE] (value from the environment when omitted). */
export async function loadSecrets(secretFile: string | undefined, flags: string[]): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("SLIPWAY_SECRET_") && value !== undefined) secrets[key.slice("SLIPWAY_SECRET_".length)] = value;
  }
  if (secretFile) {
    let content: string;
    try {
      content = await readFile(secretFile, "utf8");
    } catch {
      throw new SlipwayError("CONFIG_INVALID", `Cannot read the secret file '${secretFile}'.`);
    }
    Object.assign(secrets, parseSecretFile(secretFile, content));
  }
  for (const flag of flags) {
    const index = flag.indexOf("=");
    if (index > 0) secrets[flag.slice(0, index)] = flag.slice(index + 1);
    else {
      const value = process.env[flag];
      if (value === undefined) throw new SlipwayError("USAGE", `--secret ${flag}: no environment variable ${flag} is set.`);
      secrets[flag] = value;
    }
  }
  return secrets;
}
