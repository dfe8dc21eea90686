/**
 * Unpacked image roots under the data dir, content-addressed by layer chain (as Docker's chain IDs): the root after
 * layers 1..n is `rootfs/<chain n>`, built from `rootfs/<chain n-1>` by a hard-link clone plus layer n, in a temp
 * dir renamed into place when complete. Images sharing a base share its unpacked files; replicas use roots read-only.
 *
 * Garbage collection: `prepare` stamps an image's chain dirs as used (their mtime), and each chain dir names the
 * one below it in `rootfs/<chain>.parent`. `collect` removes the chain dirs that no running replica's root needs
 * (the root and every chain below it) and that were not used for a while; prepares and a collection never overlap.
 */

import { createHash, randomUUID } from "node:crypto";
import { chmod, link, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { SlipwayError, describeError } from "../../core/errors";
import type { ImageConfig } from "../../oci/media-types";
import type { FetchedImage, ImageSource } from "./image-source";
import { applyLayer } from "./image-unpack";

export interface UnpackedImage {
  reference: string;
  /** The manifest digest. */
  digest: string;
  /** The image's root filesystem on the host. */
  root: string;
  config: ImageConfig;
}

/** The chain ID after each layer: sha256 of the previous chain ID and the layer's digest. */
export function layerChain(digests: string[]): string[] {
  const chain: string[] = [];
  let previous = "";
  for (const digest of digests) {
    previous = createHash("sha256").update(`${previous} ${digest}`).digest("hex");
    chain.push(previous);
  }
  return chain;
}

/** A copy of a tree whose files are hard links: cheap, and applying a layer never writes into a shared file. */
async function cloneTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await chmod(to, (await stat(from)).mode & 0o7777);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await cloneTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isFile()) await link(source, target);
  }
}

/** What a collection did. */
export interface CollectedRoots {
  removed: string[];
  kept: number;
}

/** The chain id of a path inside `rootfs/<chain>/…`, or undefined when it is not inside one. */
function chainOf(rootfs: string, path: string): string | undefined {
  const inside = relative(rootfs, path);
  const id = inside.split(sep)[0];
  return !inside.startsWith("..") && !isAbsolute(inside) && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}

export class ImageRootCache {
  private readonly building = new Map<string, Promise<void>>();
  /** Prepares under way, and the collection under way: one excludes the other. */
  private preparing = 0;
  private collecting: Promise<CollectedRoots> | undefined;
  private preparesDone: (() => void) | undefined;

  constructor(
    private readonly dir: string,
    private readonly source: ImageSource,
  ) {}

  /** Where the root after a layer chain lives. */
  chainDir(chainId: string): string {
    return join(this.dir, "rootfs", chainId);
  }

  /** The unpacked image, or undefined when no registry has it. */
  async prepare(reference: string): Promise<UnpackedImage | undefined> {
    while (this.collecting) await this.collecting.catch(() => undefined);
    this.preparing += 1;
    try {
      return await this.unpack(reference);
    } finally {
      this.preparing -= 1;
      if (this.preparing === 0) this.preparesDone?.();
    }
  }

  private async unpack(reference: string): Promise<UnpackedImage | undefined> {
    const fetched = await this.source.fetch(reference);
    if (!fetched) return undefined;
    const chain = layerChain(fetched.layers.map((layer) => layer.digest));
    const empty = createHash("sha256").update("").digest("hex");
    if (chain.length === 0) await this.once(empty, () => mkdir(this.chainDir(empty), { recursive: true }).then(() => undefined));
    for (let index = 0; index < chain.length; index++) {
      await this.once(chain[index], () => this.build(fetched, index, chain));
    }
    const now = new Date();
    await Promise.all((chain.length === 0 ? [empty] : chain).map((id) => utimes(this.chainDir(id), now, now).catch(() => undefined)));
    return { reference, digest: fetched.digest, root: this.chainDir(chain.at(-1) ?? empty), config: fetched.config };
  }

  /**
   * Removes the chain dirs that none of `rootsInUse` needs (a root needs itself and the chains below it) and
   * that no prepare used for `unusedForMs`. A chain dir whose `.parent` note is missing keeps nothing below it
   * alive: it is treated as a root of its own.
   */
  async collect(rootsInUse: Iterable<string>, unusedForMs: number): Promise<CollectedRoots> {
    while (this.collecting) await this.collecting.catch(() => undefined);
    const trash = join(this.dir, "tmp", `collected-${randomUUID()}`);
    const run = (async () => {
      if (this.preparing > 0) await new Promise<void>((resolve) => (this.preparesDone = resolve));
      this.preparesDone = undefined;
      return this.sweep(rootsInUse, unusedForMs, trash);
    })();
    this.collecting = run;
    let result: CollectedRoots;
    try {
      result = await run;
    } finally {
      this.collecting = undefined;
    }
    // Deleting thousands of hard links takes a while: prepares go on meanwhile, the dirs are out of rootfs already.
    // Trash an earlier collection left behind (it crashed) goes too.
    const tmp = join(this.dir, "tmp");
    const trashes = (await readdir(tmp).catch(() => [] as string[])).filter((name) => name.startsWith("collected-"));
    await Promise.all(trashes.map((name) => rm(join(tmp, name), { recursive: true, force: true })));
    return result;
  }

  /** Moves the chain dirs to remove into `trash` (a rename: quick, and never half a root left in rootfs). */
  private async sweep(rootsInUse: Iterable<string>, unusedForMs: number, trash: string): Promise<CollectedRoots> {
    const rootfs = join(this.dir, "rootfs");
    const entries = await readdir(rootfs).catch(() => [] as string[]);
    const chains = entries.filter((name) => /^[0-9a-f]{64}$/.test(name));
    const keep = new Set<string>();
    for (const root of rootsInUse) {
      for (let id: string | undefined = chainOf(rootfs, root); id && !keep.has(id); id = await this.parentOf(id)) keep.add(id);
    }
    const cutoff = Date.now() - unusedForMs;
    const removed: string[] = [];
    await mkdir(trash, { recursive: true });
    for (const id of chains) {
      if (keep.has(id)) continue;
      const used = await stat(this.chainDir(id)).then((info) => info.mtimeMs, () => undefined);
      if (used === undefined || used > cutoff) continue;
      await rename(this.chainDir(id), join(trash, id));
      await rm(`${this.chainDir(id)}.parent`, { force: true });
      removed.push(id);
    }
    // Notes of chain dirs that are gone (a crash between the two removals) go as well.
    const present = new Set(chains);
    for (const name of entries) if (name.endsWith(".parent") && !present.has(name.slice(0, -".parent".length))) await rm(join(rootfs, name), { force: true });
    return { removed, kept: chains.length - removed.length };
  }

  private async parentOf(chainId: string): Promise<string | undefined> {
    const parent = (await readFile(`${this.chainDir(chainId)}.parent`, "utf8").catch(() => "")).trim();
    return /^[0-9a-f]{64}$/.test(parent) ? parent : undefined;
  }

  /** Builds a chain dir unless it exists; concurrent callers in this process share one build. */
  private async once(chainId: string, build: () => Promise<void>): Promise<void> {
    if (await lstat(this.chainDir(chainId)).then(() => true, () => false)) return;
    let pending = this.building.get(chainId);
    if (!pending) {
      pending = build().finally(() => this.building.delete(chainId));
      this.building.set(chainId, pending);
    }
    await pending;
  }

  private async build(image: FetchedImage, index: number, chain: string[]): Promise<void> {
    const temp = join(this.dir, "tmp", randomUUID());
    try {
      if (index > 0) await cloneTree(this.chainDir(chain[index - 1]), temp);
      else await mkdir(temp, { recursive: true });
      await applyLayer(temp, await image.layers[index].open());
      await mkdir(join(this.dir, "rootfs"), { recursive: true });
      // The note first: a chain dir is never there without it (a collection reads it to keep the chains below).
      await writeFile(`${this.chainDir(chain[index])}.parent`, index > 0 ? chain[index - 1] : "");
      await rename(temp, this.chainDir(chain[index])).catch((error: NodeJS.ErrnoException) => {
        // Another slipway process built the same chain first: theirs is identical.
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      });
    } catch (error) {
      throw error instanceof SlipwayError ? error : new SlipwayError("IMAGE_INVALID", `unpacking layer ${image.layers[index].digest} failed: ${describeError(error)}`, { cause: error });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
}
