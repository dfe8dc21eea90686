/** What a revision deploys: the images of its Deployments, and service, version and source commit from the promotion commit's trailers. */

import { gitMaybe } from "../../git/git-cli";
import { parseImageReference } from "../../gitops/image-reference";
import { parsePromoteTrailers } from "../../gitops/promote-message";
import type { DesiredState } from "./desired-state";
import type { DeployedImage, DeploymentFacts } from "./types";

/** Every container image of the desired Deployments (hook Jobs aside), in manifest order. */
export function deployedImages(desired: DesiredState): DeployedImage[] {
  const images: DeployedImage[] = [];
  for (const { object } of desired.objects) {
    if (object.kind !== "Deployment") continue;
    for (const container of object.template.containers) {
      const tag = parseImageReference(container.image).tag;
      images.push({ workload: object.name, container: container.name, image: container.image, ...(tag === undefined ? {} : { version: tag }) });
    }
  }
  return images;
}

/** The message of the newest commit at `revision` that touched `path` (the promotion that changed this app), or undefined. */
async function changeMessage(repoDir: string, revision: string, path: string): Promise<string | undefined> {
  return gitMaybe(["log", "-1", "--format=%B", revision, "--", path || "."], repoDir);
}

export async function deploymentFacts(options: { repoDir: string; path: string; app: string; namespace: string; desired: DesiredState }): Promise<DeploymentFacts> {
  const images = deployedImages(options.desired);
  const trailers = parsePromoteTrailers((await changeMessage(options.repoDir, options.desired.revision, options.path)) ?? "");
  const service = trailers.Service ?? images[0]?.workload ?? options.app;
  const image = images.find((candidate) => candidate.workload === service) ?? images[0];
  const version = trailers.Version ?? image?.version;
  return {
    namespace: options.namespace,
    service,
    ...(version === undefined ? {} : { version }),
    images,
    ...(trailers["Source-Commit"] === undefined ? {} : { sourceCommit: trailers["Source-Commit"] }),
    ...(trailers.Run === undefined ? {} : { runId: trailers.Run }),
  };
}
