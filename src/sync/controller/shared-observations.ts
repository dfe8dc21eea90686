/** Per-refresh memo of revisions and namespace snapshots shared by every app of a SyncController, so 1,000 apps cost one `git rev-parse` and one observe per namespace. */

import type { ManifestReader } from "../../gitops/render/manifest-reader";
import type { LiveState, Runtime } from "../../runtime/runtime";

export class SharedObservations {
  private revisions = new Map<string, Promise<string>>();
  private snapshots = new Map<string, Promise<LiveState>>();
  /** Syncs running per namespace key: a namespace being changed is always observed fresh. */
  private readonly busy = new Map<string, number>();

  /** Readers of recent commits: one tree listing and one read per blob for all apps. */
  private readonly readers = new Map<string, ManifestReader>();

  constructor(
    private readonly resolveRevision: (revision: string) => Promise<string>,
    private readonly openReader: (sha: string) => ManifestReader,
  ) {}

  /** The reader of commit `sha`, shared; the four newest commits are kept. */
  reader(sha: string): ManifestReader {
    let reader = this.readers.get(sha);
    if (!reader) {
      reader = this.openReader(sha);
      this.readers.set(sha, reader);
      if (this.readers.size > 4) this.readers.delete(this.readers.keys().next().value as string);
    }
    return reader;
  }

  /** Refreshes running: memos live only while one is (a reconcile outside a refresh resolves and observes fresh). */
  private refreshes = 0;

  /** A refresh starts: what was resolved or observed before may have moved. */
  begin(): void {
    this.refreshes++;
    this.revisions = new Map();
    this.snapshots = new Map();
  }

  end(): void {
    this.refreshes = Math.max(0, this.refreshes - 1);
    if (this.refreshes > 0) return;
    this.revisions = new Map();
    this.snapshots = new Map();
  }

  resolve(revision: string): Promise<string> {
    if (this.refreshes === 0) return this.resolveRevision(revision);
    let resolved = this.revisions.get(revision);
    if (!resolved) {
      resolved = this.resolveRevision(revision);
      this.revisions.set(revision, resolved);
      resolved.catch(() => this.revisions.delete(revision));
    }
    return resolved;
  }

  observe(runtime: Runtime, namespace: string): Promise<LiveState> {
    const key = keyOf(runtime, namespace);
    if (this.refreshes === 0 || (this.busy.get(key) ?? 0) > 0) return runtime.observe(namespace);
    let snapshot = this.snapshots.get(key);
    if (!snapshot) {
      snapshot = runtime.observe(namespace);
      this.snapshots.set(key, snapshot);
    }
    return snapshot;
  }

  /** A sync into `namespaces` starts (true) or ends (false): snapshots of them are dropped either way. */
  syncing(runtime: Runtime, namespaces: string[], active: boolean): void {
    // A sync may write git (a rollback's revert commit): what runs after it in this refresh resolves the branch afresh.
    this.revisions = new Map();
    for (const namespace of namespaces) {
      const key = keyOf(runtime, namespace);
      this.snapshots.delete(key);
      const count = (this.busy.get(key) ?? 0) + (active ? 1 : -1);
      if (count > 0) this.busy.set(key, count);
      else this.busy.delete(key);
    }
  }
}

function keyOf(runtime: Runtime, namespace: string): string {
  return `${runtime.name}\n${namespace}`;
}
