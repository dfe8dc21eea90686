/** An Application's desired state at one env repo commit: rendered, validated, mapped to runtime objects — or one precise error. */

import { SlipwayError } from "../../core/errors";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import { manifestError } from "../../gitops/manifests/problems";
import type { ManifestReader } from "../../gitops/render/manifest-reader";
import { renderEnvironment } from "../../gitops/render/render-environment";
import { validateObjects } from "../../runtime/validate";
import type { RuntimeObject } from "../../runtime/types";
import type { KubeObject } from "../model";
import { hookOf, syncWaveOf } from "../sync-order";
import { manifestsToRuntime } from "../manifest-to-runtime";
import { gitCommitReader } from "./git-reader";
import { runtimeObjectToKube, syncAnnotations } from "./live-objects";

export interface DesiredObject {
  namespace: string;
  object: RuntimeObject;
  kube: KubeObject;
  /** `envs/dev/web/deployment.yaml:3`, for messages. */
  source: string;
}

export interface DesiredState {
  revision: string;
  objects: DesiredObject[];
  /** Every namespace the app's objects live in (the destination first). */
  namespaces: string[];
  /** Namespaces the manifests declare as Namespace objects. */
  declaredNamespaces: string[];
}

export function destinationNamespace(application: ApplicationManifest): string {
  return application.spec.destination.namespace ?? "default";
}

/** Throws MANIFEST_INVALID naming file, line and field; nothing has touched the runtime when it does. */
export async function renderDesired(repoDir: string, revision: string, application: ApplicationManifest, reader: ManifestReader = gitCommitReader(repoDir, revision)): Promise<DesiredState> {
  const app = application.metadata.name;
  const namespace = destinationNamespace(application);
  const manifests = await renderEnvironment(reader, application.spec.source.path, {
    defaultNamespace: namespace,
    images: application.spec.source.kustomize?.images,
  });
  const mapping = manifestsToRuntime(manifests, { app, defaultNamespace: namespace });
  if (mapping.problems.length > 0) throw manifestError(mapping.problems);
  const objects: DesiredObject[] = mapping.mapped.map(({ namespace: ns, manifest, object }) => ({
    namespace: ns,
    object,
    kube: runtimeObjectToKube(ns, object, syncAnnotations(manifest.metadata.annotations)),
    source: `${manifest.source.file}:${manifest.source.line}`,
  }));
  const problems: { file: string; line: number; field: string; message: string }[] = [];
  for (const desired of objects) {
    const [file, line] = [desired.source.slice(0, desired.source.lastIndexOf(":")), Number(desired.source.slice(desired.source.lastIndexOf(":") + 1))];
    try {
      syncWaveOf(desired.kube);
      hookOf(desired.kube);
    } catch (error) {
      problems.push({ file, line, field: "metadata.annotations", message: (error as Error).message });
    }
  }
  if (problems.length > 0) throw manifestError(problems);
  const namespaces = [...new Set([namespace, ...objects.map((desired) => desired.namespace)])];
  for (const ns of namespaces) validateGroup(ns, objects.filter((desired) => desired.namespace === ns));
  return { revision, objects, namespaces, declaredNamespaces: mapping.namespaces };
}

/** The runtime's own checks (one container, probe ports, port clashes, …), reported with the manifest's file:line. */
function validateGroup(namespace: string, objects: DesiredObject[]): void {
  try {
    validateObjects(namespace, objects.map((desired) => desired.object));
  } catch (error) {
    const where = objects.map((desired) => `${desired.object.kind} ${desired.object.name} at ${desired.source}`).join(", ");
    const message = error instanceof Error ? error.message : String(error);
    throw new SlipwayError("MANIFEST_INVALID", `${message}\n  (objects: ${where})`, { cause: error });
  }
}
