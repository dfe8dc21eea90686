/** In-memory history walks over cached commits: what a set of commits reaches, and `git log head ^…` in git's order. */

import type { CachedCommit } from "./cached-commit";
import type { CommitStore } from "./commit-store";

export interface WalkCommit {
  sha: string;
  parents: string[];
  /** Committer time, epoch seconds: git's default log order is newest first. */
  time: number;
}

/** The commits a walk reached: cached ones by position, others (below the cache) by SHA. */
export class Reached {
  constructor(
    private readonly store: CommitStore,
    private readonly marks: Uint8Array,
    private readonly outside: Set<string>,
  ) {}

  has(sha: string): boolean {
    if (this.outside.has(sha)) return true;
    const position = this.store.positionOf(sha);
    return position !== -1 && this.marks[position] === 1;
  }

  hasPosition(position: number): boolean {
    return this.marks[position] === 1;
  }
}

/** The starts and everything reachable from them through the store; a SHA not cached is reached but not walked through. */
export function reachableFrom(store: CommitStore, starts: Iterable<string>): Reached {
  const marks = new Uint8Array(store.size);
  const outside = new Set<string>();
  const stack: number[] = [];
  for (const sha of starts) {
    const position = store.positionOf(sha);
    if (position === -1) outside.add(sha);
    else stack.push(position);
  }
  if (stack.length === 0) return new Reached(store, marks, outside);
  const { start, up } = store.parentLinks();
  while (stack.length > 0) {
    const position = stack.pop() as number;
    if (marks[position] === 1) continue;
    marks[position] = 1;
    const parents = store.at(position).parents;
    for (let link = start[position]; link < start[position + 1]; link += 1) {
      if (up[link] === -1) outside.add(parents[link - start[position]]);
      else if (marks[up[link]] === 0) stack.push(up[link]);
    }
  }
  return new Reached(store, marks, outside);
}

/** Commits of the store that no cached commit names as a parent, newest first (the cache's tips). */
export function frontier(store: CommitStore, limit: number): CachedCommit[] {
  const { up } = store.parentLinks();
  const isParent = new Uint8Array(store.size);
  for (const position of up) if (position !== -1) isParent[position] = 1;
  const tips = store.values().filter((_, position) => isParent[position] === 0);
  return tips.sort((a, b) => b.time - a.time).slice(0, limit);
}

/**
 * `git log head ^excluded` over the store: the head and its ancestors that are not excluded, in git's default
 * order (a queue by committer time, newest first, ties first-come first-served). Commits missing from the store
 * are not walked: the caller made sure every one of them is excluded.
 */
export function logOrder(store: CommitStore, head: string, excluded: Reached): CachedCommit[] {
  const out: CachedCommit[] = [];
  const headPosition = store.positionOf(head);
  if (headPosition === -1 || excluded.hasPosition(headPosition)) return out;
  const { start, up } = store.parentLinks();
  const seen = new Uint8Array(store.size);
  const queue = new CommitQueue<CachedCommit>();
  seen[headPosition] = 1;
  let position = headPosition;
  while (position !== -1) {
    const commit = store.at(position);
    out.push(commit);
    const first = start[position];
    const end = start[position + 1];
    let next = -1;
    for (let link = first; link < end; link += 1) {
      const parent = up[link];
      if (parent === -1 || seen[parent] === 1) continue;
      seen[parent] = 1;
      if (excluded.hasPosition(parent)) continue;
      // Linear history skips the queue: with nothing else queued, the only parent is next whatever its time.
      if (end - first === 1 && queue.size === 0) next = parent;
      else queue.push(store.at(parent), parent);
    }
    position = next !== -1 ? next : queue.pop();
  }
  return out;
}

/** A binary heap ordered by time (newest first), then by insertion (as git's commit list by date); no allocation per item. */
class CommitQueue<T extends WalkCommit> {
  private readonly commits: T[] = [];
  private readonly positions: number[] = [];
  private readonly orders: number[] = [];
  private inserted = 0;

  get size(): number {
    return this.commits.length;
  }

  push(commit: T, position: number): void {
    let index = this.commits.length;
    this.commits.push(commit);
    this.positions.push(position);
    this.orders.push(this.inserted++);
    while (index > 0) {
      const up = (index - 1) >> 1;
      if (!this.before(index, up)) break;
      this.swap(index, up);
      index = up;
    }
  }

  /** The position of the next commit, -1 when empty. */
  pop(): number {
    const { commits, positions, orders } = this;
    if (commits.length === 0) return -1;
    const top = positions[0];
    const last = commits.pop() as T;
    const lastPosition = positions.pop() as number;
    const lastOrder = orders.pop() as number;
    if (commits.length > 0) {
      commits[0] = last;
      positions[0] = lastPosition;
      orders[0] = lastOrder;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let best = index;
        if (left < commits.length && this.before(left, best)) best = left;
        if (right < commits.length && this.before(right, best)) best = right;
        if (best === index) break;
        this.swap(index, best);
        index = best;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.commits[a].time;
    const y = this.commits[b].time;
    return x !== y ? x > y : this.orders[a] < this.orders[b];
  }

  private swap(a: number, b: number): void {
    const commit = this.commits[a];
    this.commits[a] = this.commits[b];
    this.commits[b] = commit;
    const position = this.positions[a];
    this.positions[a] = this.positions[b];
    this.positions[b] = position;
    const order = this.orders[a];
    this.orders[a] = this.orders[b];
    this.orders[b] = order;
  }
}
