/** Argo CD's CreateNamespace: a sync may only go into namespaces that exist, that its manifests declare, or (destination only) that it may create. */

import { SlipwayError } from "../../core/errors";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import { hasSyncOption } from "../../gitops/manifests/parse-application";
import type { Runtime } from "../../runtime/runtime";
import type { DesiredState } from "./desired-state";
import { destinationNamespace } from "./desired-state";

/**
 * Throws NOT_FOUND naming the first namespace the sync would need and may not create, before anything is applied.
 * The runtime creates a namespace with its first object, so "create" is allowing that; `known` are namespaces
 * the controller created or saw before (a namespace stays known while the app exists).
 */
export function assertNamespaces(application: ApplicationManifest, runtime: Runtime, desired: DesiredState, known: ReadonlySet<string>): void {
  const destination = destinationNamespace(application);
  const creatable = new Set(desired.declaredNamespaces);
  if (hasSyncOption(application, "CreateNamespace")) creatable.add(destination);
  const existing = new Set(runtime.namespaces());
  for (const namespace of desired.namespaces) {
    if (existing.has(namespace) || creatable.has(namespace) || known.has(namespace)) continue;
    const where = desired.objects.find((object) => object.namespace === namespace);
    const usedBy = where ? `${where.object.kind} ${where.object.name} (${where.source})` : `the Application's destination`;
    const fix = namespace === destination
      ? `add "CreateNamespace=true" to spec.syncPolicy.syncOptions of Application ${application.metadata.name}, or a Namespace manifest named ${namespace}`
      : `add a Namespace manifest named ${namespace}`;
    throw new SlipwayError("NOT_FOUND", `namespace "${namespace}" does not exist in runtime ${runtime.name} (needed by ${usedBy}): ${fix}; nothing was applied`, {
      hint: "Argo CD's CreateNamespace=true sync option lets the sync create the destination namespace.",
    });
  }
}
