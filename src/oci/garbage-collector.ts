/**
 * Mark-and-sweep of blobs no manifest references, safe while the registry serves: only blobs older than a
 * grace period go, each re-checked under its digest lock so a push or a manifest that touched it meanwhile wins.
 */

import type { OciStore } from "./oci-store";
import { parseManifestDocument } from "./manifest-document";

export interface GarbageCollectionOptions {
  /** Blobs written or touched within this many ms are kept even when unreferenced (default 10 minutes). */
  gracePeriodMs?: number;
  /** Uploads untouched for this long are abandoned and removed (default 24 hours). */
  uploadExpiryMs?: number;
  dryRun?: boolean;
  now?: number;
}

export interface GarbageCollectionReport {
  referenced: number;
  deleted: string[];
  freedBytes: number;
  keptYoung: number;
  expiredUploads: number;
}

/** Every digest reachable from a stored manifest (tagged or not) of any repository. */
export async function markReferencedBlobs(store: OciStore): Promise<Set<string>> {
  const marked = new Set<string>();
  for (const repository of await store.repositories.list()) {
    const links = await store.repositories.manifests(repository);
    for (const digest of (await store.repositories.tagMap(repository)).values()) {
      if (!links.some((link) => link.digest === digest)) marked.add(digest);
    }
    for (const link of links) {
      marked.add(link.digest);
      const bytes = await store.blobs.readBytes(link.digest).catch(() => undefined);
      if (!bytes) continue;
      try {
        const document = parseManifestDocument(bytes, link.mediaType);
        for (const descriptor of [...document.blobs, ...document.children]) marked.add(descriptor.digest);
      } catch {
        // A manifest that no longer parses still keeps itself; it cannot name anything else.
      }
    }
  }
  return marked;
}

export async function collectGarbage(store: OciStore, options: GarbageCollectionOptions = {}): Promise<GarbageCollectionReport> {
  const started = options.now ?? Date.now();
  const cutoff = started - (options.gracePeriodMs ?? 10 * 60_000);
  const marked = await markReferencedBlobs(store);
  const report: GarbageCollectionReport = { referenced: marked.size, deleted: [], freedBytes: 0, keptYoung: 0, expiredUploads: 0 };
  const repositories = await store.repositories.list();
  for await (const blob of store.blobs.list()) {
    if (marked.has(blob.digest)) continue;
    if (blob.mtimeMs >= cutoff) {
      report.keptYoung++;
      continue;
    }
    if (options.dryRun) {
      report.deleted.push(blob.digest);
      report.freedBytes += blob.size;
      continue;
    }
    await store.blobs.locks.run(blob.digest, async () => {
      const current = await store.blobs.stat(blob.digest);
      if (!current || current.mtimeMs >= cutoff) return;
      await store.blobs.delete(blob.digest);
      for (const repository of repositories) await store.repositories.unlinkBlob(repository, blob.digest);
      report.deleted.push(blob.digest);
      report.freedBytes += current.size;
    });
  }
  if (!options.dryRun) {
    const expiry = started - (options.uploadExpiryMs ?? 24 * 3_600_000);
    report.expiredUploads = await store.uploads.expire(expiry);
    await store.blobs.expireTemp(expiry);
  }
  return report;
}
