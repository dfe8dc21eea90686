/**
 * Unpacked image roots under the data dir, content-addressed by layer chain (as Docker's chain IDs): the root after
 * layers 1..n is `rootfs/<chain n>`, built from `rootfs/<chain n-1>` by a hard-link clone plus layer n, in a temp
 * dir renamed into place when complete. Images sharing a base share its unpacked files; replicas use roots read-only.
 */

import { createHash, randomUUID } from "node:crypto";
import { chmod, link, lstat, mkdir, readdir, readlink, rename, rm, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
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

export class ImageRootCache {
  private readonly building = new Map<string, Promise<void>>();

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
    const fetched = await this.source.fetch(reference);
    if (!fetched) return undefined;
    const chain = layerChain(fetched.layers.map((layer) => layer.digest));
    const empty = createHash("sha256").update("").digest("hex");
    if (chain.length === 0) await this.once(empty, () => mkdir(this.chainDir(empty), { recursive: true }).then(() => undefined));
    for (let index = 0; index < chain.length; index++) {
      await this.once(chain[index], () => this.build(fetched, index, chain));
    }
    return { reference, digest: fetched.digest, root: this.chainDir(chain.at(-1) ?? empty), config: fetched.config };
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
