/**
 * The cache's commits in memory: a list plus parent links by position, so that walks follow numbers
 * (no SHA hashing, no per-commit sets). The SHA index is built only when many lookups need it.
 */

import type { CachedCommit } from "./cached-commit";

/** Parents of commit i are `up[start[i]]` … `up[start[i + 1] - 1]`: positions in the list, -1 for a parent not cached. */
export interface ParentLinks {
  start: number[];
  up: number[];
}

/** Lookups by scanning the list before an index is worth building. */
const scansBeforeIndex = 8;

export class CommitStore {
  private readonly list: CachedCommit[];
  private index: Map<string, number> | undefined;
  private scans = 0;
  /** A run asks for the same few SHAs (head, boundary) several times. */
  private lastLookup: { sha: string; position: number } | undefined;
  private links: ParentLinks | undefined;

  /** `links`, when given, must describe `list` (the file reader built the parents from them). */
  constructor(list: CachedCommit[] = [], links?: ParentLinks) {
    this.list = list;
    this.links = links;
  }

  get size(): number {
    return this.list.length;
  }

  at(position: number): CachedCommit {
    return this.list[position];
  }

  values(): readonly CachedCommit[] {
    return this.list;
  }

  /** The commit's position, -1 when it is not cached. */
  positionOf(sha: string): number {
    if (this.index) return this.index.get(sha) ?? -1;
    if ((this.scans += 1) <= scansBeforeIndex) {
      if (this.lastLookup?.sha === sha) return this.lastLookup.position;
      const { list } = this;
      let position = -1;
      for (let i = 0; i < list.length && position === -1; i += 1) if (list[i].sha === sha) position = i;
      this.lastLookup = { sha, position };
      return position;
    }
    this.index = new Map(this.list.map((commit, position) => [commit.sha, position]));
    return this.index.get(sha) ?? -1;
  }

  has(sha: string): boolean {
    return this.positionOf(sha) !== -1;
  }

  get(sha: string): CachedCommit | undefined {
    const position = this.positionOf(sha);
    return position === -1 ? undefined : this.list[position];
  }

  /** Adds a commit not cached yet (a parent may arrive after its child: links are worked out again when asked for). */
  add(commit: CachedCommit): void {
    if (this.has(commit.sha)) return;
    this.index?.set(commit.sha, this.list.length);
    this.lastLookup = undefined;
    this.list.push(commit);
  }

  /** Adds commits the caller knows are not cached yet, without looking each up (a file's segments). */
  addUncached(commits: readonly CachedCommit[]): void {
    for (const commit of commits) {
      this.index?.set(commit.sha, this.list.length);
      this.list.push(commit);
    }
    this.lastLookup = undefined;
  }

  /**
   * Parent links of every commit. Commits are only ever appended, so the links already worked out stay right
   * except those to a parent that was not cached then: only those and the new commits' are resolved.
   */
  parentLinks(): ParentLinks {
    const links = (this.links ??= { start: [0], up: [] });
    const linked = links.start.length - 1;
    if (linked === this.list.length) return links;
    const { start, up } = links;
    for (let position = 0; position < linked; position += 1) {
      for (let link = start[position]; link < start[position + 1]; link += 1) {
        if (up[link] === -1) up[link] = this.positionOf(this.list[position].parents[link - start[position]]);
      }
    }
    for (let position = linked; position < this.list.length; position += 1) {
      for (const parent of this.list[position].parents) up.push(this.positionOf(parent));
      start.push(up.length);
    }
    return links;
  }
}
