/**
 * Commits as the cache holds them: the raw commit (kept, so that a new parser can parse it again) with its
 * parsed conventional-commit fields (see commit-columns.ts for how they are stored).
 */

import { parseConventionalCommit, type ConventionalCommit } from "./conventional-commit";
import type { LoggedCommit } from "./history-stream";

/** A parsed commit that keeps its raw message and committer time: usable wherever either is. */
export interface CachedCommit extends ConventionalCommit {
  time: number;
  /** The message as git gave it. */
  message: string;
}

/** What the parser adds beyond what the raw message gives directly (header and body are split again on load). */
type ParsedPart = Omit<ConventionalCommit, "sha" | "parents" | "files" | "header" | "body">;

/** Every parsed field, in column order; the check below fails to compile when ConventionalCommit gains a field not listed. */
export const parsedKeys = ["type", "scope", "subject", "breaking", "breakingNotes", "pullRequest", "references", "reverts", "isMerge"] as const;
type Unlisted = Exclude<keyof ParsedPart, (typeof parsedKeys)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : false = true;
void everyFieldListed;

export function cachedCommit(raw: LoggedCommit): CachedCommit {
  const parsed = parseConventionalCommit(raw) as CachedCommit;
  parsed.time = raw.time;
  parsed.message = raw.message;
  return parsed;
}
