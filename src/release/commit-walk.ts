/** In-memory history walks over cached commits: what a set of commits reaches, and `git log head ^…` in git's order. */

export interface WalkCommit {
  sha: string;
  parents: string[];
  /** Committer time, epoch seconds: git's default log order is newest first. */
  time: number;
}

/** The starts and everything reachable from them through `commits`; a SHA missing from the map is reached but not walked through. */
export function reachableFrom(commits: ReadonlyMap<string, WalkCommit>, starts: Iterable<string>): Set<string> {
  const reached = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const sha = stack.pop() as string;
    if (reached.has(sha)) continue;
    reached.add(sha);
    const commit = commits.get(sha);
    if (commit) for (const parent of commit.parents) if (!reached.has(parent)) stack.push(parent);
  }
  return reached;
}

/** Commits in the map that no commit of the map names as a parent, newest first (the cache's tips). */
export function frontier<T extends WalkCommit>(commits: ReadonlyMap<string, T>, limit: number): T[] {
  const parents = new Set<string>();
  for (const commit of commits.values()) for (const parent of commit.parents) parents.add(parent);
  const tips: T[] = [];
  for (const commit of commits.values()) if (!parents.has(commit.sha)) tips.push(commit);
  return tips.sort((a, b) => b.time - a.time).slice(0, limit);
}

/**
 * `git log head ^excluded` over the map: the head and its ancestors that are not excluded, in git's default
 * order (a queue by committer time, newest first, ties first-come first-served). Commits missing from the map
 * are not walked: the caller made sure every one of them is excluded.
 */
export function logOrder<T extends WalkCommit>(commits: ReadonlyMap<string, T>, head: string, excluded: ReadonlySet<string>): T[] {
  const out: T[] = [];
  const queue = new CommitQueue<T>();
  const seen = new Set<string>([head]);
  const first = commits.get(head);
  if (first && !excluded.has(head)) queue.push(first);
  let next = queue.pop();
  while (next) {
    const commit: T = next;
    out.push(commit);
    next = undefined;
    for (const sha of commit.parents) {
      if (seen.has(sha)) continue;
      seen.add(sha);
      const parent = commits.get(sha);
      if (!parent || excluded.has(sha)) continue;
      // Linear history skips the queue: with nothing else queued, the only parent is next whatever its time.
      if (commit.parents.length === 1 && queue.size === 0) next = parent;
      else queue.push(parent);
    }
    next ??= queue.pop();
  }
  return out;
}

/** A binary heap ordered by time (newest first), then by insertion (as git's commit list by date); no allocation per item. */
class CommitQueue<T extends WalkCommit> {
  private readonly commits: T[] = [];
  private readonly orders: number[] = [];
  private inserted = 0;

  get size(): number {
    return this.commits.length;
  }

  push(commit: T): void {
    let index = this.commits.length;
    this.commits.push(commit);
    this.orders.push(this.inserted++);
    while (index > 0) {
      const up = (index - 1) >> 1;
      if (!this.before(index, up)) break;
      this.swap(index, up);
      index = up;
    }
  }

  pop(): T | undefined {
    const { commits, orders } = this;
    if (commits.length === 0) return undefined;
    const top = commits[0];
    const last = commits.pop() as T;
    const lastOrder = orders.pop() as number;
    if (commits.length > 0) {
      commits[0] = last;
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
    const order = this.orders[a];
    this.orders[a] = this.orders[b];
    this.orders[b] = order;
  }
}
