/** `slipway/build-image`: builds a service directory into the run's image store, tagged `vX.Y.Z` and `sha-<7>`. */

import { describeError } from "../core/errors";
import type { ActionResult, BuiltinAction } from "../workflow/actions/action-request";
import { buildServiceImage, type BuildEngineChoice } from "./builder/build-service-image";
import { actionStoreDir, commitShaOf, imageTags, inputList, parseKeyValues, workspacePath } from "./image-action-inputs";
import { OciStore } from "./oci-store";

export const buildImageAction: BuiltinAction = {
  name: "build-image",
  description: "Build an OCI image from a service directory (daemonless, or docker build when it has a Dockerfile and Docker answers).",
  inputs: {
    context: { default: ".", description: "service directory, relative to the workspace" },
    image: { required: true, description: "image name, e.g. team/api or 127.0.0.1:8080/team/api" },
    version: { description: "release version: tags v<version>" },
    sha: { description: "commit: tags sha-<7> (default github.sha)" },
    tags: { description: "explicit tags instead of version/sha (newline or comma separated)" },
    base: { default: "node-base:20", description: "base image" },
    engine: { default: "auto", description: "auto, slipway or docker" },
    env: { description: "KEY=VALUE lines" },
    ports: { description: "exposed ports" },
    cmd: { description: "Cmd as words" },
    source: { description: "org.opencontainers.image.source" },
  },
  async run(context): Promise<ActionResult> {
    const { inputs } = context;
    try {
      const tags = imageTags(context);
      const refs = tags.map((tag) => `${inputs.image}:${tag}`);
      const store = await OciStore.open(actionStoreDir(context));
      const started = Date.now();
      const result = await buildServiceImage(store, {
        contextDir: workspacePath(context, inputs.context || "."),
        tag: refs[0] as string,
        additionalTags: refs.slice(1),
        base: inputs.base || "node-base:20",
        engine: (inputs.engine || "auto") as BuildEngineChoice,
        env: parseKeyValues(inputs.env),
        exposedPorts: inputList(inputs.ports),
        cmd: inputs.cmd ? inputs.cmd.split(/\s+/).filter(Boolean) : undefined,
        revision: commitShaOf(context, inputs.sha),
        version: inputs.version || undefined,
        source: inputs.source || undefined,
      });
      for (const layer of result.layers) await context.log(`${layer.role.padEnd(12)} ${layer.digest} ${layer.size} bytes`);
      await context.log(`built ${refs.join(", ")} → ${result.digest} with ${result.engine} in ${Date.now() - started} ms`);
      return { outcome: "success", outputs: { digest: result.digest, image: refs[0] as string, tags: tags.join(","), refs: refs.join(","), engine: result.engine } };
    } catch (error) {
      await context.log(`##[error]build-image: ${describeError(error)}`);
      return { outcome: "failure", outputs: {} };
    }
  },
};
