/** The Node.js base image the shop's images build on, made offline once per data directory (scripts/node-base-image.sh + import) and reused after. */

import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { SlipwayError } from "../core/errors";
import { importRootFilesystem } from "../oci/image-import";
import { loadLocalImage } from "../oci/local-images";
import { OciStore } from "../oci/oci-store";

const run = promisify(execFile);
export const nodeBaseImage = "node-base:20";

export interface BaseImageResult {
  reference: string;
  digest: string;
  /** True when the data directory already had it. */
  cached: boolean;
  ms: number;
}

/** `node-base:20` in <data>/oci: the one there, else the host's node and its libraries imported as a root filesystem. */
export async function ensureNodeBaseImage(dataDir: string, checkout: string): Promise<BaseImageResult> {
  const started = Date.now();
  const store = await OciStore.open(join(dataDir, "oci"));
  const existing = await loadLocalImage(store, nodeBaseImage).catch(() => undefined);
  if (existing) return { reference: nodeBaseImage, digest: existing.manifest.digest, cached: true, ms: Date.now() - started };
  const rootfs = join(dataDir, "demo", "node-base-root");
  try {
    await run("bash", [join(checkout, "scripts", "node-base-image.sh"), rootfs], { env: { ...process.env, SLIPWAY_NODE_BINARY: process.execPath } });
    const imported = await importRootFilesystem(store, { source: rootfs, tag: nodeBaseImage, config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin"], Cmd: ["node"] } });
    return { reference: nodeBaseImage, digest: imported.digest, cached: false, ms: Date.now() - started };
  } catch (error) {
    throw new SlipwayError("INTERNAL", `building the Node base image failed: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`, { hint: "The demo copies the host's node binary and the libraries ldd lists; bash and ldd must be installed." });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}
