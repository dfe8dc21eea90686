/**
 * The cache's commits on disk, column by column: one JSON array per field parses into far fewer objects than
 * one object per commit. SHAs are one string (fixed width); parents are links by position (their SHAs are the
 * linked commits'), so only parents outside the cache are spelled out. Empty lists and false are 0, true is 1,
 * undefined is null; parsed fields in `parsedKeys` order.
 */

import { cachedCommit, parsedKeys, type CachedCommit } from "./cached-commit";
import { CommitStore, type ParentLinks } from "./commit-store";
import { splitMessage, type ConventionalCommit } from "./conventional-commit";

export interface CommitColumns {
  /** Every commit's SHA, `shaLength` characters each (40, or 64 in a SHA-256 repository). */
  sha: string;
  shaLength: number;
  /** How many parents each commit has. */
  parentCount: number[];
  /** Per parent: its position minus the child's (small numbers: git lists parents after children), 0 when not cached. */
  up: number[];
  /** The SHAs of the parents not cached, in order. */
  outside: string[];
  time: number[];
  message: string[];
  /** Only when the cache holds changed paths. */
  files?: (string[] | 0)[];
  parsed: unknown[][];
}

const none: string[] = [];
const noNumbers: number[] = [];
Object.freeze(none);
Object.freeze(noNumbers);

/** Undefined when the SHAs differ in length (not one repository's). */
export function commitColumns(store: CommitStore, withFiles: boolean): CommitColumns | undefined {
  const { start, up } = store.parentLinks();
  const commits = store.values();
  const shaLength = commits[0]?.sha.length ?? 40;
  if (commits.some((commit) => commit.sha.length !== shaLength)) return undefined;
  const columns: CommitColumns = { sha: "", shaLength, parentCount: [], up: [], outside: [], time: [], message: [], parsed: parsedKeys.map(() => []) };
  const files: (string[] | 0)[] = [];
  columns.sha = commits.map((commit) => commit.sha).join("");
  commits.forEach((commit, position) => {
    columns.parentCount.push(commit.parents.length);
    commit.parents.forEach((parent, index) => {
      const linked = up[start[position] + index];
      columns.up.push(linked === -1 ? 0 : linked - position);
      if (linked === -1) columns.outside.push(parent);
    });
    columns.time.push(commit.time);
    columns.message.push(commit.message);
    if (withFiles) files.push(commit.files.length > 0 ? commit.files : 0);
    parsedKeys.forEach((key, index) => columns.parsed[index].push(storedValue(commit[key])));
  });
  if (withFiles) columns.files = files;
  return columns;
}

function storedValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return Array.isArray(value) && value.length === 0 ? 0 : value;
}

/**
 * The store of `value`, or undefined when it is malformed. With `reparse` (another parser wrote the parsed
 * columns) every message is parsed again and the stored fields are ignored.
 */
export function storeFromColumns(value: unknown, withFiles: boolean, reparse: boolean): CommitStore | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const columns = value as Partial<Record<keyof CommitColumns, unknown>>;
  const { time, message, files, parsed } = columns;
  const sha = shaList(columns);
  if (!sha || !isArrayOf(time, "number") || !isArrayOf(message, "string")) return undefined;
  const count = sha.length;
  if (time.length !== count || message.length !== count) return undefined;
  const graph = parentLists(columns, sha);
  if (!graph) return undefined;
  const { parents, links } = graph;
  if (withFiles && !(Array.isArray(files) && files.length === count && files.every((list) => list === 0 || isArrayOf(list, "string")))) return undefined;
  const fileList = (index: number): string[] => (withFiles ? (files as (string[] | 0)[])[index] || none : none);
  const out: CachedCommit[] = new Array<CachedCommit>(count);
  if (reparse) {
    for (let i = 0; i < count; i += 1) out[i] = cachedCommit({ sha: sha[i], parents: parents[i], time: time[i], message: message[i], files: fileList(i) });
    return new CommitStore(out, links);
  }
  if (!Array.isArray(parsed) || parsed.length !== parsedKeys.length || !parsed.every((column) => Array.isArray(column) && column.length === count)) return undefined;
  // Written by this very parser (the fingerprint matched, the CRC held): the values have the parser's types.
  const [type, scope, subject, breaking, breakingNotes, pullRequest, references, reverts, isMerge] = parsed as unknown[][];
  for (let i = 0; i < count; i += 1) {
    const { header, body } = splitMessage(message[i]);
    out[i] = {
      sha: sha[i],
      parents: parents[i],
      files: fileList(i),
      header,
      body,
      type: (type[i] ?? undefined) as string | undefined,
      scope: (scope[i] ?? undefined) as string | undefined,
      subject: subject[i] as string,
      breaking: breaking[i] === 1,
      breakingNotes: (breakingNotes[i] || none) as string[],
      pullRequest: (pullRequest[i] ?? undefined) as number | undefined,
      references: (references[i] || noNumbers) as number[],
      reverts: (reverts[i] ?? undefined) as ConventionalCommit["reverts"],
      isMerge: isMerge[i] === 1,
      time: time[i],
      message: message[i],
    };
  }
  return new CommitStore(out, links);
}

function shaList(columns: Partial<Record<keyof CommitColumns, unknown>>): string[] | undefined {
  const { sha, shaLength } = columns;
  if (typeof sha !== "string" || typeof shaLength !== "number" || !(shaLength > 0) || sha.length % shaLength !== 0) return undefined;
  const list = new Array<string>(sha.length / shaLength);
  for (let i = 0; i < list.length; i += 1) list[i] = sha.slice(i * shaLength, (i + 1) * shaLength);
  return list;
}

/** Each commit's parent SHAs and the links by position, or undefined when the links do not fit the columns. */
function parentLists(columns: Partial<Record<keyof CommitColumns, unknown>>, sha: string[]): { parents: string[][]; links: ParentLinks } | undefined {
  const { parentCount, up: stored, outside } = columns;
  const count = sha.length;
  if (!isArrayOf(parentCount, "number") || !isArrayOf(stored, "number") || !isArrayOf(outside, "string") || parentCount.length !== count) return undefined;
  const parents: string[][] = new Array<string[]>(count);
  const start: number[] = new Array<number>(count + 1);
  const up: number[] = new Array<number>(stored.length);
  let link = 0;
  let next = 0;
  for (let i = 0; i < count; i += 1) {
    start[i] = link;
    const end = link + parentCount[i];
    if (!Number.isInteger(end) || end < link || end > stored.length) return undefined;
    // Exactly sized (a pushed-to empty array reserves room for many more): most commits have one parent.
    const list: string[] = end - link === 1 ? [""] : new Array<string>(end - link);
    for (let index = 0; link < end; link += 1, index += 1) {
      const delta = stored[link];
      if (delta === 0) {
        if (next >= outside.length) return undefined;
        up[link] = -1;
        list[index] = outside[next++];
        continue;
      }
      const position = i + delta;
      if (!Number.isInteger(position) || position < 0 || position >= count) return undefined;
      up[link] = position;
      list[index] = sha[position];
    }
    parents[i] = list;
  }
  start[count] = link;
  return link === stored.length && next === outside.length ? { parents, links: { start, up } } : undefined;
}

function isArrayOf<T extends "string" | "number">(value: unknown, type: T): value is (T extends "string" ? string : number)[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== type) return false;
  return true;
}
