/** Registers the built-in actions every run has (later domains add release, build-image, promote, …). */

import { downloadArtifactAction, uploadArtifactAction } from "./artifacts";
import { cacheAction, cacheRestoreAction, cacheSaveAction } from "./cache";
import { checkoutAction } from "./checkout";
import { registerBuiltinAction } from "./registry";
import { releaseAction } from "../../../release/release-action";
import { buildImageAction } from "../../../oci/build-image-action";
import { pushImageAction } from "../../../oci/push-image-action";
import { promoteAction } from "../../../gitops/promote-action";
import { smokeTestAction } from "./smoke-test";

let registered = false;

export function registerDefaultBuiltins(): void {
  if (registered) return;
  registered = true;
  for (const action of [checkoutAction, cacheAction, cacheRestoreAction, cacheSaveAction, uploadArtifactAction, downloadArtifactAction, releaseAction, buildImageAction, pushImageAction, promoteAction, smokeTestAction]) {
    registerBuiltinAction(action);
  }
}
