/** `slipway/push-image`: pushes an image from the run's store to a registry under its release tags; `latest` never goes to a protected environment. */

import { describeError } from "../core/errors";
import type { ActionResult, BuiltinAction } from "../workflow/actions/action-request";
import { assertTagAllowed } from "./builder/image-tags";
import { parseImageReference } from "./client/image-reference";
import { pushImageFromStore } from "./client/image-transfer";
import { RegistryClient } from "./client/registry-client";
import { actionStoreDir, imageTags } from "./image-action-inputs";
import { loadLocalImage } from "./local-images";
import { OciStore } from "./oci-store";

export const pushImageAction: BuiltinAction = {
  name: "push-image",
  description: "Push a built image to the embedded registry or any OCI registry, tagged vX.Y.Z and sha-<7>.",
  inputs: {
    image: { required: true, description: "image name as built, e.g. 127.0.0.1:8080/team/api" },
    registry: { description: "registry host[:port] (default: the image's)" },
    repository: { description: "repository in the registry (default: the image's)" },
    version: { description: "release version: tags v<version>" },
    sha: { description: "commit: tags sha-<7> (default github.sha)" },
    tags: { description: "explicit tags (newline or comma separated)" },
    username: { default: "slipway" },
    token: { description: "registry token or password" },
    "protected-environment": { default: "false", description: "true refuses the tag latest" },
  },
  async run(context): Promise<ActionResult> {
    const { inputs } = context;
    try {
      const tags = imageTags(context);
      const protectedEnvironment = inputs["protected-environment"] === "true";
      for (const tag of tags) assertTagAllowed(tag, { protectedEnvironment });
      const name = parseImageReference(`${inputs.image}:${tags[0]}`);
      const registry = inputs.registry || name.registry;
      if (!registry) throw new Error(`${inputs.image} names no registry: give the registry input or build with host[:port]/name`);
      const store = await OciStore.open(actionStoreDir(context));
      const local = await loadLocalImage(store, `${inputs.image}:${tags[0]}`);
      const client = new RegistryClient({ registry, credentials: inputs.token ? { username: inputs.username || "slipway", password: inputs.token } : undefined });
      const repository = inputs.repository || name.repository;
      const result = await pushImageFromStore(store, local.repository, tags[0] as string, client, repository, tags);
      const refs = tags.map((tag) => `${registry}/${repository}:${tag}`);
      await context.log(`pushed ${refs.join(", ")} → ${result.digest} (${result.blobs.uploaded} uploaded, ${result.blobs.exists} already there, ${result.blobs.mounted} mounted)`);
      return { outcome: "success", outputs: { digest: result.digest, refs: refs.join(","), tags: tags.join(",") } };
    } catch (error) {
      await context.log(`##[error]push-image: ${describeError(error)}`);
      return { outcome: "failure", outputs: {} };
    }
  },
};
