/**
 * Repositories: `<dir>/repositories/<name>/{_tags/<tag>, _manifests/<hex>, _layers/<hex>}` — small link files
 * written durably; manifest bytes themselves live in the blob store.
 */

import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { digestHex } from "./digest";
import { writeFileDurably } from "./durable-file";
import { OciError } from "./oci-error";

/** A manifest revision as linked into a repository. */
export interface ManifestLink {
  digest: string;
  mediaType: string;
  size: number;
}

const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}

/** Store-level check: path components only (the registry applies the spec's stricter name grammar). */
function assertSafeName(name: string): void {
  const parts = name.split("/");
  if (name.length === 0 || name.length > 255 || parts.some((part) => part === "" || part === "." || part === ".." || part.startsWith("_") || part.startsWith("."))) {
    throw new OciError("NAME_INVALID", `invalid repository name: ${name}`);
  }
}

export class RepositoryStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, "repositories");
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private repoDir(name: string): string {
    assertSafeName(name);
    return join(this.dir, ...name.split("/"));
  }

  async exists(name: string): Promise<boolean> {
    return stat(join(this.repoDir(name), "_manifests")).then(() => true, () => stat(join(this.repoDir(name), "_layers")).then(() => true, () => false));
  }

  async linkManifest(name: string, link: ManifestLink): Promise<void> {
    await writeFileDurably(join(this.repoDir(name), "_manifests", hexOf(link.digest)), JSON.stringify(link));
  }

  async manifest(name: string, digest: string): Promise<ManifestLink | undefined> {
    const hex = digestHex(digest);
    if (!hex) return undefined;
    const text = await readFile(join(this.repoDir(name), "_manifests", hex), "utf8").catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ManifestLink);
  }

  async manifests(name: string): Promise<ManifestLink[]> {
    const dir = join(this.repoDir(name), "_manifests");
    const links: ManifestLink[] = [];
    for (const hex of await readdir(dir).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const link = await this.manifest(name, `sha256:${hex}`);
      if (link) links.push(link);
    }
    return links;
  }

  /** Deletes a manifest revision and every tag that points at it. */
  async unlinkManifest(name: string, digest: string): Promise<boolean> {
    const link = await this.manifest(name, digest);
    if (!link) return false;
    for (const [tag, target] of await this.tagMap(name)) if (target === digest) await this.deleteTag(name, tag);
    await rm(join(this.repoDir(name), "_manifests", hexOf(digest)), { force: true });
    return true;
  }

  async setTag(name: string, tag: string, digest: string): Promise<void> {
    if (!isValidTag(tag)) throw new OciError("MANIFEST_INVALID", `invalid tag: ${tag}`);
    await writeFileDurably(join(this.repoDir(name), "_tags", tag), digest);
  }

  async tag(name: string, tag: string): Promise<string | undefined> {
    if (!isValidTag(tag)) return undefined;
    const text = await readFile(join(this.repoDir(name), "_tags", tag), "utf8").catch(() => undefined);
    return text?.trim() || undefined;
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    if (!isValidTag(tag)) return false;
    const path = join(this.repoDir(name), "_tags", tag);
    const existed = await stat(path).then(() => true, () => false);
    await rm(path, { force: true });
    return existed;
  }

  /** Tags in lexical order. */
  async tags(name: string): Promise<string[]> {
    const names = await readdir(join(this.repoDir(name), "_tags")).catch(() => [] as string[]);
    return names.filter((tag) => isValidTag(tag)).sort();
  }

  async tagMap(name: string): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const tag of await this.tags(name)) {
      const digest = await this.tag(name, tag);
      if (digest) map.set(tag, digest);
    }
    return map;
  }

  /** Records that a blob was pushed to (or mounted into) a repository: pulls through this repository may read it. */
  async linkBlob(name: string, digest: string): Promise<void> {
    const path = join(this.repoDir(name), "_layers", hexOf(digest));
    if (await stat(path).then(() => true, () => false)) return;
    await writeFileDurably(path, digest);
  }

  async hasBlobLink(name: string, digest: string): Promise<boolean> {
    const hex = digestHex(digest);
    return hex ? stat(join(this.repoDir(name), "_layers", hex)).then(() => true, () => false) : false;
  }

  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const hex = digestHex(digest);
    if (!hex) return false;
    const path = join(this.repoDir(name), "_layers", hex);
    const existed = await stat(path).then(() => true, () => false);
    await rm(path, { force: true });
    return existed;
  }

  async blobLinks(name: string): Promise<string[]> {
    const names = await readdir(join(this.repoDir(name), "_layers")).catch(() => [] as string[]);
    return names.filter((hex) => /^[a-f0-9]{64}$/.test(hex)).map((hex) => `sha256:${hex}`);
  }

  /** Every repository name, sorted. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      if (entries.some((entry) => entry.name === "_manifests" || entry.name === "_layers")) names.push(prefix.join("/"));
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith("_") && !entry.name.startsWith(".")) await walk(join(dir, entry.name), [...prefix, entry.name]);
      }
    };
    await walk(this.dir, []);
    return names.sort();
  }
}

function hexOf(digest: string): string {
  const hex = digestHex(digest);
  if (!hex) throw new OciError("DIGEST_INVALID", `not a sha256 digest: ${digest}`);
  return hex;
}
