/** Conventional commit messages → structured commits (type, scope, breaking notes, PR/issue numbers, reverts). */

import { createHash } from "node:crypto";

/** One commit as git gives it: message, parents and changed paths. */
export interface RawCommit {
  sha: string;
  parents: string[];
  message: string;
  /** Paths changed relative to the first parent (empty for merges: git lists none). */
  files: string[];
}

export interface ConventionalCommit {
  sha: string;
  parents: string[];
  files: string[];
  header: string;
  body: string;
  /** Lower-cased type (`feat`, `fix`, …); undefined when the header is not conventional. */
  type?: string;
  scope?: string;
  /** The subject without a trailing `(#34)`. */
  subject: string;
  breaking: boolean;
  /** `BREAKING CHANGE:` / `BREAKING-CHANGE:` texts; the subject when only `!` marks the break. */
  breakingNotes: string[];
  /** `(#34)` at the end of the subject (a squash-merged pull request). */
  pullRequest?: number;
  /** Issue numbers from `Closes #12`, `Fixes #3`, `Refs #7` footers. */
  references: number[];
  /** Set on revert commits: the reverted commit's SHA (full or abbreviated) and header. */
  reverts?: { sha: string; header: string };
  isMerge: boolean;
}

// The conventionalcommits preset's header shape, with a scope that cannot swallow `): `.
const headerPattern = /^(\w+)(?:\(([^()\r\n]*)\))?(!)?: (.+)$/;
const pullRequestSuffix = /\s*\(#(\d+)\)$/;
// Spec: BREAKING CHANGE must be upper case; a bullet or blank before it is tolerated as the preset does.
const breakingNotePattern = /^[\s|*]*(?:BREAKING CHANGE|BREAKING-CHANGE):[ \t]*(.*)$/;
const referenceLinePattern = /^(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|references)\b:?\s+(.+)$/i;
const issueNumberPattern = /#(\d+)\b/g;
// A git-trailer style footer (`Reviewed-by: x`, `Part-of #3`) ends a breaking-change note.
const footerTokenPattern = /^[\w-]+(?:: | #)/;
const revertPattern = /^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w+)\.?/i;

/** The normalised message, its header (first line) and body (the rest), as the parser sees them. */
export function splitMessage(raw: string): { message: string; header: string; body: string } {
  const message = (raw.includes("\r") ? raw.replace(/\r\n/g, "\n") : raw).trim();
  const newline = message.indexOf("\n");
  const header = newline === -1 ? message : message.slice(0, newline).trim();
  const body = newline === -1 ? "" : message.slice(newline + 1).trim();
  return { message, header, body };
}

export function parseConventionalCommit(raw: RawCommit): ConventionalCommit {
  const { message, header, body } = splitMessage(raw.message);
  const commit: ConventionalCommit = {
    sha: raw.sha,
    parents: raw.parents,
    files: raw.files,
    header,
    body,
    subject: header,
    breaking: false,
    breakingNotes: [],
    references: [],
    isMerge: raw.parents.length > 1,
  };
  const match = headerPattern.exec(header);
  if (match) {
    commit.type = match[1].toLowerCase();
    commit.scope = match[2] ? match[2].trim() : undefined;
    commit.subject = match[4].trim();
    commit.breaking = match[3] === "!";
  }
  const pr = pullRequestSuffix.exec(commit.subject);
  if (pr) {
    commit.pullRequest = Number(pr[1]);
    commit.subject = commit.subject.slice(0, pr.index);
  }
  if (body) readBody(commit, body);
  if (commit.breaking && commit.breakingNotes.length === 0) commit.breakingNotes.push(commit.subject);
  if (commit.type === "revert" || header.startsWith("Revert") || header.startsWith("revert")) readRevert(commit, message);
  return commit;
}

/** Footers: breaking-change notes (with their continuation lines) and issue references. */
function readBody(commit: ConventionalCommit, body: string): void {
  const mayBreak = body.includes("BREAKING");
  const mayReference = body.includes("#");
  if (!mayBreak && !mayReference) return;
  const lines = body.split("\n");
  let note: string[] | undefined;
  for (const line of lines) {
    const breaking = mayBreak ? breakingNotePattern.exec(line) : null;
    if (breaking) {
      note = [breaking[1].trim()];
      commit.breakingNotes.push("");
      commit.breaking = true;
    } else if (mayReference && referenceLinePattern.test(line)) {
      for (const issue of line.matchAll(issueNumberPattern)) commit.references.push(Number(issue[1]));
      note = undefined;
      continue;
    } else if (note && line.trim() !== "" && !footerTokenPattern.test(line)) {
      note.push(line.trim());
    } else {
      note = undefined;
    }
    if (note) commit.breakingNotes[commit.breakingNotes.length - 1] = note.join(" ").trim();
  }
  commit.breakingNotes = commit.breakingNotes.map((text) => text || commit.subject);
  commit.references = [...new Set(commit.references)];
}

function readRevert(commit: ConventionalCommit, message: string): void {
  const match = revertPattern.exec(message);
  if (!match) return;
  commit.reverts = { header: match[1].trim(), sha: match[2] };
  if (!commit.type) {
    commit.type = "revert";
    commit.subject = commit.reverts.header;
  }
}

let fingerprint: string | undefined;

/**
 * Identifies this parser's code: a SHA-256 over its functions' source and its patterns. Parsed commits
 * cached under another fingerprint are parsed again from their messages, so editing the parser needs no
 * version bump anywhere (a rebuild that changes nothing but formatting only costs one re-parse).
 */
export function parserFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash("sha256");
  for (const fn of [splitMessage, parseConventionalCommit, readBody, readRevert]) hash.update(fn.toString()).update("\0");
  for (const pattern of [headerPattern, pullRequestSuffix, breakingNotePattern, referenceLinePattern, issueNumberPattern, footerTokenPattern, revertPattern]) hash.update(`${pattern.source}/${pattern.flags}\0`);
  fingerprint = hash.digest("hex").slice(0, 32);
  return fingerprint;
}
