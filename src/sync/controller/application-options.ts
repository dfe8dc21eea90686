/** What an ApplicationController is given: the Application, its runtime and env repo, and the hooks its SyncController shares. */

import type { ApplicationManifest } from "../../gitops/manifests/model";
import type { ManifestReader } from "../../gitops/render/manifest-reader";
import type { LiveState, Runtime } from "../../runtime/runtime";
import type { DesiredState } from "./desired-state";
import type { GitIdentity } from "./git-writer";
import type { SyncHistorySink } from "./types";

export interface ApplicationControllerOptions {
  application: ApplicationManifest;
  runtime: Runtime;
  /** The environment repo the Application's source points at (the server resolves repoURL to it). */
  repoDir: string;
  identity?: GitIdentity;
  /** Sync records kept in memory. Default 100. */
  historyLimit?: number;
  /** Where syncs and deployments are recorded (the server's store); none: memory only. */
  history?: SyncHistorySink;
  /** A directory put first on hook Jobs' PATH (where a `slipway` executable is), so a PostSync hook can run `slipway smoke-test`. */
  hookPath?: string;
  /** Namespaces known to exist, shared by the apps of one SyncController (the local runtime forgets an empty one). */
  knownNamespaces?: Set<string>;
  /** Resolves targetRevision; the SyncController memoizes it per refresh so 1,000 apps cost one `git rev-parse`. */
  resolve?: (revision: string) => Promise<string>;
  /** Reads files of an env repo commit; the SyncController shares one reader (one tree listing) per commit among its apps. */
  reader?: (revision: string) => ManifestReader;
  /** Observes a namespace for the compare phase; the SyncController shares one snapshot per refresh. Syncs always observe fresh. */
  observe?: (namespace: string) => Promise<LiveState>;
  /** Told when a sync or rollback into `namespaces` starts and ends (shared snapshots of them are dropped). */
  onSyncing?: (namespaces: string[], active: boolean) => void;
  /** Time-dependent changes to desired state (e.g. schedules scaling to 0), applied on every reconcile after the per-revision render cache. */
  adjustDesired?: (application: ApplicationManifest, desired: DesiredState) => DesiredState;
  /** Fires when the server stops: a sync in flight stops waiting and is recorded as interrupted (no rollback), none starts after. */
  signal?: AbortSignal;
}
