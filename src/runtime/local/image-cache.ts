/** Unpacked image roots, content-addressed by manifest digest under the data dir: unpacked once (temp dir, then rename), shared read-only by replicas. */

import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SlipwayError, describeError } from "../../core/errors";
import type { ImageConfig } from "../../oci/media-types";
import type { ImageSource } from "./image-source";
import { unpackLayers } from "./image-unpack";

export interface UnpackedImage {
  reference: string;
  digest: string;
  /** The image's root filesystem on the host. */
  root: string;
  config: ImageConfig;
}

function hexOf(digest: string): string {
  const hex = digest.replace(/^sha256:/, "");
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new SlipwayError("IMAGE_INVALID", `unsupported image digest ${digest}`);
  return hex;
}

export class ImageRootCache {
  private readonly unpacking = new Map<string, Promise<void>>();

  /** Roots live in `<dir>/roots/<hex>/{rootfs,config.json}`; unpacking happens in `<dir>/tmp`. */
  constructor(
    private readonly dir: string,
    private readonly source: ImageSource,
  ) {}

  rootOf(digest: string): string {
    return join(this.dir, "roots", hexOf(digest));
  }

  /** The unpacked image, or undefined when no registry has it. */
  async prepare(reference: string): Promise<UnpackedImage | undefined> {
    const fetched = await this.source.fetch(reference);
    if (!fetched) return undefined;
    const dir = this.rootOf(fetched.digest);
    const done = await readFile(join(dir, "config.json"), "utf8").then(() => true, () => false);
    if (!done) {
      let pending = this.unpacking.get(fetched.digest);
      if (!pending) {
        pending = this.unpack(dir, fetched.config, fetched.layers).finally(() => this.unpacking.delete(fetched.digest));
        this.unpacking.set(fetched.digest, pending);
      }
      await pending;
    }
    return { reference, digest: fetched.digest, root: join(dir, "rootfs"), config: fetched.config };
  }

  private async unpack(dir: string, config: ImageConfig, layers: Parameters<typeof unpackLayers>[1]): Promise<void> {
    const temp = join(this.dir, "tmp", randomUUID());
    try {
      await unpackLayers(join(temp, "rootfs"), layers);
      // config.json is written last inside the temp dir: a root with it is complete.
      await writeFile(join(temp, "config.json"), JSON.stringify(config));
      await mkdir(join(this.dir, "roots"), { recursive: true });
      await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
        // Another slipway process unpacked the same digest first: theirs is identical.
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      });
    } catch (error) {
      throw error instanceof SlipwayError ? error : new SlipwayError("IMAGE_INVALID", `unpacking the image failed: ${describeError(error)}`, { cause: error });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
}
