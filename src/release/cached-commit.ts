/**
 * Commits as the cache holds them: the raw commit (kept, so that a new parser can parse it again) with its
 * parsed conventional-commit fields, one compact JSON row each.
 */

import { parseConventionalCommit, splitMessage, type ConventionalCommit } from "./conventional-commit";
import type { LoggedCommit } from "./history-stream";

/** A parsed commit that keeps its raw message and committer time: usable wherever either is. */
export interface CachedCommit extends ConventionalCommit {
  time: number;
  /** The message as git gave it. */
  message: string;
}

/** What the parser adds beyond what the raw message gives directly (header and body are split again on load). */
type ParsedPart = Omit<ConventionalCommit, "sha" | "parents" | "files" | "header" | "body">;

/** Every parsed field, in row order; the check below fails to compile when ConventionalCommit gains a field not listed. */
const parsedKeys = ["type", "scope", "subject", "breaking", "breakingNotes", "pullRequest", "references", "reverts", "isMerge"] as const;
type Unlisted = Exclude<keyof ParsedPart, (typeof parsedKeys)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : false = true;
void everyFieldListed;

/** `[sha, parents, time, message, files, parsed]`; files 0 when none, parsed values in `parsedKeys` order (null for undefined). */
export type CommitRow = [string, string[], number, string, string[] | 0, unknown[]];

const none: string[] = [];
const noNumbers: number[] = [];
Object.freeze(none);
Object.freeze(noNumbers);

export function cachedCommit(raw: LoggedCommit): CachedCommit {
  const parsed = parseConventionalCommit(raw) as CachedCommit;
  parsed.time = raw.time;
  parsed.message = raw.message;
  return parsed;
}

export function commitRow(commit: CachedCommit, withFiles: boolean): CommitRow {
  const parsed = parsedKeys.map((key) => commit[key] ?? null);
  return [commit.sha, commit.parents, commit.time, commit.message, withFiles && commit.files.length > 0 ? commit.files : 0, parsed];
}

/**
 * The commit of a row, or undefined when the row is malformed. With `reparse` (the rows were parsed by
 * another parser) the message is parsed again and the stored fields are ignored.
 */
export function commitFromRow(row: unknown, reparse: boolean): CachedCommit | undefined {
  if (!Array.isArray(row) || row.length !== 6) return undefined;
  const [sha, parents, time, message, files, parsed] = row as unknown[];
  if (typeof sha !== "string" || typeof time !== "number" || typeof message !== "string" || !isStrings(parents)) return undefined;
  if (files !== 0 && !isStrings(files)) return undefined;
  const fileList = files === 0 ? none : files;
  if (reparse) return cachedCommit({ sha, parents, time, message, files: fileList });
  if (!Array.isArray(parsed) || parsed.length !== parsedKeys.length) return undefined;
  const { header, body } = splitMessage(message);
  const [type, scope, subject, breaking, breakingNotes, pullRequest, references, reverts, isMerge] = parsed as unknown[];
  // Written by this very parser (the fingerprint matched, the CRC held): the values have the parser's types.
  return {
    sha,
    parents,
    files: fileList,
    header,
    body,
    type: (type ?? undefined) as string | undefined,
    scope: (scope ?? undefined) as string | undefined,
    subject: subject as string,
    breaking: breaking as boolean,
    breakingNotes: (breakingNotes as string[]).length === 0 ? none : (breakingNotes as string[]),
    pullRequest: (pullRequest ?? undefined) as number | undefined,
    references: (references as number[]).length === 0 ? noNumbers : (references as number[]),
    reverts: (reverts ?? undefined) as ConventionalCommit["reverts"],
    isMerge: isMerge as boolean,
    time,
    message,
  };
}

function isStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== "string") return false;
  return true;
}
