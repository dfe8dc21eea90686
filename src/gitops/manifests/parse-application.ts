/** Argo CD `Application` objects: where the manifests come from, where they go and how they sync. */

import type { Field } from "./field";
import type { ApplicationManifest } from "./model";
import type { ManifestHead } from "./parse-metadata";

export function parseApplication(root: Field, head: ManifestHead): ApplicationManifest {
  const spec = root.key("spec");
  if (!spec.present) spec.report("is required");
  spec.isObject();
  if (spec.key("sources").present) spec.key("sources").report("is not supported: use a single spec.source");
  const source = spec.key("source");
  if (spec.present && !source.present && !spec.key("sources").present) source.report("is required");
  source.isObject();
  if (source.key("chart").present) source.key("chart").report("is not supported: Helm charts are not rendered; use a path");
  if (source.key("helm").present) source.key("helm").report("is not supported: use plain manifests or kustomize");
  const kustomize = source.key("kustomize");
  const destination = spec.key("destination");
  if (spec.present && !destination.present) destination.report("is required");
  destination.isObject();
  const name = destination.key("name").string();
  const server = destination.key("server").string();
  if (destination.present && name === undefined && server === undefined) destination.report("needs name (a slipway runtime) or server");
  const syncPolicy = spec.key("syncPolicy");
  syncPolicy.isObject();
  const automated = syncPolicy.key("automated");
  const parsed: ApplicationManifest = {
    ...head,
    kind: "Application",
    spec: {
      project: spec.key("project").string() ?? "default",
      source: {
        repoURL: source.key("repoURL").requiredString(),
        path: source.key("path").requiredString(),
        targetRevision: source.key("targetRevision").string() ?? "HEAD",
      },
      destination: { name, server, namespace: destination.key("namespace").string() },
      syncPolicy: { syncOptions: syncPolicy.key("syncOptions").stringList() ?? [] },
    },
  };
  if (kustomize.isObject()) parsed.spec.source.kustomize = { images: kustomize.key("images").stringList() ?? [] };
  // `automated: {}` (or `automated:` with no value) turns automation on with prune and selfHeal off.
  if (automated.value === null || automated.isObject()) {
    parsed.spec.syncPolicy.automated = { prune: automated.key("prune").bool() ?? false, selfHeal: automated.key("selfHeal").bool() ?? false };
  }
  return parsed;
}

/** `CreateNamespace=true` → true, from an Application's syncOptions. */
export function hasSyncOption(application: ApplicationManifest, option: string): boolean {
  return application.spec.syncPolicy.syncOptions.some((entry) => entry.replace(/\s/g, "") === `${option}=true`);
}
