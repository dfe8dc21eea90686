/**
 * The cache's commits on disk, column by column: one JSON array per field parses into far fewer objects than
 * one object per commit. Parents are links by position (their SHAs are the linked commits'), so only parents
 * outside the cache are spelled out; empty lists are 0, undefined is null; parsed fields in `parsedKeys` order.
 */

import { cachedCommit, parsedKeys, type CachedCommit } from "./cached-commit";
import { CommitStore, type ParentLinks } from "./commit-store";
import { splitMessage, type ConventionalCommit } from "./conventional-commit";

export interface CommitColumns extends ParentLinks {
  sha: string[];
  /** The SHAs of the parents linked as -1 (not cached), in link order. */
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

export function commitColumns(store: CommitStore, withFiles: boolean): CommitColumns {
  const { start, up } = store.parentLinks();
  const columns: CommitColumns = { sha: [], start, up, outside: [], time: [], message: [], parsed: parsedKeys.map(() => []) };
  const files: (string[] | 0)[] = [];
  store.values().forEach((commit, position) => {
    columns.sha.push(commit.sha);
    commit.parents.forEach((parent, index) => {
      if (up[start[position] + index] === -1) columns.outside.push(parent);
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
  return Array.isArray(value) && value.length === 0 ? 0 : value;
}

/**
 * The store of `value`, or undefined when it is malformed. With `reparse` (another parser wrote the parsed
 * columns) every message is parsed again and the stored fields are ignored.
 */
export function storeFromColumns(value: unknown, withFiles: boolean, reparse: boolean): CommitStore | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const columns = value as Partial<Record<keyof CommitColumns, unknown>>;
  const { sha, time, message, files, parsed } = columns;
  if (!isArrayOf(sha, "string") || !isArrayOf(time, "number") || !isArrayOf(message, "string")) return undefined;
  const count = sha.length;
  if (time.length !== count || message.length !== count) return undefined;
  const parents = parentLists(columns, sha);
  if (!parents) return undefined;
  if (withFiles && !(Array.isArray(files) && files.length === count && files.every((list) => list === 0 || isArrayOf(list, "string")))) return undefined;
  const fileList = (index: number): string[] => (withFiles ? (files as (string[] | 0)[])[index] || none : none);
  const links = { start: columns.start as number[], up: columns.up as number[] };
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
      breaking: breaking[i] as boolean,
      breakingNotes: (breakingNotes[i] || none) as string[],
      pullRequest: (pullRequest[i] ?? undefined) as number | undefined,
      references: (references[i] || noNumbers) as number[],
      reverts: (reverts[i] ?? undefined) as ConventionalCommit["reverts"],
      isMerge: isMerge[i] as boolean,
      time: time[i],
      message: message[i],
    };
  }
  return new CommitStore(out, links);
}

/** Each commit's parent SHAs from the links, or undefined when the links do not fit the columns. */
function parentLists(columns: Partial<Record<keyof CommitColumns, unknown>>, sha: string[]): string[][] | undefined {
  const { start, up, outside } = columns;
  const count = sha.length;
  if (!isArrayOf(start, "number") || !isArrayOf(up, "number") || !isArrayOf(outside, "string")) return undefined;
  if (start.length !== count + 1 || start[0] !== 0 || start[count] !== up.length) return undefined;
  const lists: string[][] = new Array<string[]>(count);
  let next = 0;
  for (let i = 0; i < count; i += 1) {
    const from = start[i];
    const to = start[i + 1];
    if (!(to >= from)) return undefined;
    const list: string[] = [];
    for (let link = from; link < to; link += 1) {
      const position = up[link];
      if (position === -1) {
        if (next >= outside.length) return undefined;
        list.push(outside[next++]);
      } else if (Number.isInteger(position) && position >= 0 && position < count) {
        list.push(sha[position]);
      } else {
        return undefined;
      }
    }
    lists[i] = list;
  }
  return next === outside.length ? lists : undefined;
}

function isArrayOf<T extends "string" | "number">(value: unknown, type: T): value is (T extends "string" ? string : number)[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== type) return false;
  return true;
}
