/** One OCI store on disk: blobs, uploads and repositories, and the manifest operations that tie them together. */

import { mkdir } from "node:fs/promises";
import type { Readable } from "node:stream";
import { BlobStore, type BlobExpectation, type WrittenBlob } from "./blob-store";
import { isDigest, sha256Digest } from "./digest";
import { parseManifestDocument, type ManifestDocument } from "./manifest-document";
import { OciError } from "./oci-error";
import { RepositoryStore, type ManifestLink } from "./repository-store";
import { UploadSessions } from "./upload-sessions";

export interface StoredManifest extends ManifestLink {
  bytes: Buffer;
}

export class OciStore {
  readonly blobs: BlobStore;
  readonly uploads: UploadSessions;
  readonly repositories: RepositoryStore;

  private constructor(readonly root: string) {
    this.blobs = new BlobStore(root);
    this.uploads = new UploadSessions(this.blobs, root);
    this.repositories = new RepositoryStore(root);
  }

  static async open(root: string): Promise<OciStore> {
    await mkdir(root, { recursive: true });
    const store = new OciStore(root);
    await store.blobs.init();
    await store.uploads.init();
    await store.repositories.init();
    return store;
  }

  /** Writes a blob and links it into `repository`. */
  async putBlob(repository: string, source: Readable | Buffer, expected: BlobExpectation = {}): Promise<WrittenBlob> {
    const written = Buffer.isBuffer(source) ? await this.blobs.writeBytes(source, expected) : await this.blobs.writeStream(source, expected);
    await this.repositories.linkBlob(repository, written.digest);
    return written;
  }

  /** Whether `repository` may serve the blob: linked there and present. Touches it so a running collection spares it. */
  async repositoryHasBlob(repository: string, digest: string): Promise<boolean> {
    return (await this.repositories.hasBlobLink(repository, digest)) && (await this.blobs.touch(digest));
  }

  async resolve(repository: string, reference: string): Promise<ManifestLink | undefined> {
    const digest = isDigest(reference) ? reference : await this.repositories.tag(repository, reference);
    return digest ? this.repositories.manifest(repository, digest) : undefined;
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    const link = await this.resolve(repository, reference);
    const bytes = link ? await this.blobs.readBytes(link.digest).catch(() => undefined) : undefined;
    if (!link || !bytes) throw new OciError("MANIFEST_UNKNOWN", `manifest unknown: ${repository}:${reference}`, { detail: { name: repository, reference } });
    return { ...link, bytes };
  }

  /**
   * Validates and stores a manifest under a tag or its digest. Every referenced blob (or child manifest)
   * must already be in the repository; they are touched first so a concurrent collection cannot take them.
   */
  async putManifest(repository: string, reference: string, bytes: Buffer, contentType?: string): Promise<ManifestLink & { document: ManifestDocument }> {
    const document = parseManifestDocument(bytes, contentType);
    const digest = sha256Digest(bytes);
    if (isDigest(reference) && reference !== digest) {
      throw new OciError("DIGEST_INVALID", `manifest digest ${digest} does not match the reference ${reference}`);
    }
    for (const blob of document.blobs) {
      if (!(await this.repositoryHasBlob(repository, blob.digest))) {
        throw new OciError("MANIFEST_BLOB_UNKNOWN", `blob unknown to registry: ${blob.digest}`, { detail: { digest: blob.digest } });
      }
    }
    for (const child of document.children) {
      const known = await this.repositories.manifest(repository, child.digest);
      if (!known || !(await this.blobs.touch(child.digest))) {
        throw new OciError("MANIFEST_UNKNOWN", `manifest unknown: ${repository}@${child.digest} (push the index's manifests first)`, { detail: { digest: child.digest } });
      }
    }
    await this.blobs.writeBytes(bytes, { digest });
    const link: ManifestLink = { digest, mediaType: document.mediaType, size: bytes.length };
    await this.repositories.linkManifest(repository, link);
    if (!isDigest(reference)) await this.repositories.setTag(repository, reference, digest);
    return { ...link, document };
  }

  /** Deletes a manifest by digest (with the tags naming it) or just a tag. */
  async deleteManifest(repository: string, reference: string): Promise<void> {
    const removed = isDigest(reference) ? await this.repositories.unlinkManifest(repository, reference) : await this.repositories.deleteTag(repository, reference);
    if (!removed) throw new OciError("MANIFEST_UNKNOWN", `manifest unknown: ${repository}:${reference}`);
  }
}
