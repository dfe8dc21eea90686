/**
 * Commits as the cache holds them: the normalised message (kept, so that a new parser can parse it again) with
 * its parsed conventional-commit fields (see commit-columns.ts for how they are stored).
 */

import { parseConventionalCommit, splitMessage, type ConventionalCommit } from "./conventional-commit";
import type { LoggedCommit } from "./history-stream";

/** A parsed commit that keeps its raw message and committer time: usable wherever either is. */
export interface CachedCommit extends ConventionalCommit {
  time: number;
  /** The message as the parser reads it (CRLF as LF, trimmed): the header is its start, the body its end. */
  message: string;
}

/** What the parser adds beyond what the message gives directly (header and body are slices of it). */
type ParsedPart = Omit<ConventionalCommit, "sha" | "parents" | "files" | "header" | "body">;

/**
 * The parsed fields commit-columns.ts stores: this fails to compile when ConventionalCommit gains a field
 * not listed here, as a reminder that the cache must store it too (and its format version go up).
 */
const storedParsedFields = {
  type: true,
  scope: true,
  subject: true,
  breaking: true,
  breakingNotes: true,
  pullRequest: true,
  references: true,
  reverts: true,
  isMerge: true,
} as const satisfies Record<keyof ParsedPart, true>;
void storedParsedFields;

export function cachedCommit(raw: LoggedCommit): CachedCommit {
  const parsed = parseConventionalCommit(raw) as CachedCommit;
  parsed.time = raw.time;
  parsed.message = splitMessage(raw.message).message;
  return parsed;
}
