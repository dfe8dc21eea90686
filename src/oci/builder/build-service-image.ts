/** Chooses the engine for a service: `docker build` when it has a Dockerfile and an engine answers, else the daemonless builder. */

import type { OciStore } from "../oci-store";
import { buildWithDockerEngine, dockerEngineAvailable, hasDockerfile } from "./docker-engine-build";
import { buildImage, type BuildImageOptions, type BuildImageResult } from "./image-builder";

export type BuildEngineChoice = "auto" | "slipway" | "docker";

export async function buildServiceImage(store: OciStore, options: BuildImageOptions & { engine?: BuildEngineChoice }): Promise<BuildImageResult> {
  const engine = options.engine ?? "auto";
  if (engine === "docker" || (engine === "auto" && hasDockerfile(options.contextDir) && (await dockerEngineAvailable()))) {
    return buildWithDockerEngine(store, options);
  }
  return buildImage(store, options);
}
