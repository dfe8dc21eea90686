/** Deployments and Jobs: their specs, rollout strategy and the selector-to-template check. */

import type { Field } from "./field";
import type { DeploymentManifest, IntOrString, JobManifest } from "./model";
import { formatLabels, type ManifestHead } from "./parse-metadata";
import { parsePodTemplate } from "./parse-pod";

export function parseDeployment(root: Field, head: ManifestHead): DeploymentManifest {
  const spec = root.key("spec");
  if (!spec.present) spec.report("is required");
  spec.isObject();
  const selector = spec.key("selector");
  const matchLabelsField = selector.key("matchLabels");
  if (spec.present && !selector.present) selector.report("is required");
  if (selector.key("matchExpressions").present) selector.key("matchExpressions").report("is not supported: use matchLabels");
  else if (selector.isObject() && !matchLabelsField.present) matchLabelsField.report("is required");
  const matchLabels = matchLabelsField.stringMap();
  const template = parsePodTemplate(spec.key("template"), ["Always"]);
  if (Object.keys(matchLabels).length > 0 && !Object.entries(matchLabels).every(([key, value]) => template.metadata.labels[key] === value)) {
    matchLabelsField.report(`${formatLabels(matchLabels)} does not match spec.template.metadata.labels ${formatLabels(template.metadata.labels)}`);
  }
  const minReadySeconds = spec.key("minReadySeconds").int({ min: 0 }) ?? 0;
  const progressDeadlineSeconds = spec.key("progressDeadlineSeconds").int({ min: 1 }) ?? 600;
  if (progressDeadlineSeconds <= minReadySeconds) spec.key("progressDeadlineSeconds").report("must be greater than minReadySeconds");
  return {
    ...head,
    kind: "Deployment",
    spec: {
      replicas: spec.key("replicas").int({ min: 0 }) ?? 1,
      selector: { matchLabels },
      template,
      strategy: parseStrategy(spec.key("strategy")),
      minReadySeconds,
      progressDeadlineSeconds,
      paused: spec.key("paused").bool() ?? false,
    },
  };
}

function parseStrategy(field: Field): DeploymentManifest["spec"]["strategy"] {
  const type = field.key("type").oneOf(["RollingUpdate", "Recreate"] as const) ?? "RollingUpdate";
  const rollingUpdate = field.key("rollingUpdate");
  if (type === "Recreate") {
    if (rollingUpdate.present) rollingUpdate.report("may only be given with type RollingUpdate");
    return { type };
  }
  rollingUpdate.isObject();
  const maxSurge = intOrPercent(rollingUpdate.key("maxSurge")) ?? "25%";
  const maxUnavailable = intOrPercent(rollingUpdate.key("maxUnavailable")) ?? "25%";
  if (isZero(maxSurge) && isZero(maxUnavailable)) rollingUpdate.report("maxSurge and maxUnavailable cannot both be 0");
  return { type, rollingUpdate: { maxSurge, maxUnavailable } };
}

function intOrPercent(field: Field): IntOrString | undefined {
  const value = field.intOrString();
  if (typeof value === "string" && !/^\d+%$/.test(value)) {
    field.report(`must be an integer or a percentage like "25%" (got "${value}")`);
    return undefined;
  }
  if (typeof value === "string" && Number.parseInt(value, 10) > 100) field.report("must be at most 100%");
  return value;
}

function isZero(value: IntOrString): boolean {
  return value === 0 || value === "0%";
}

export function parseJob(root: Field, head: ManifestHead): JobManifest {
  const spec = root.key("spec");
  if (!spec.present) spec.report("is required");
  spec.isObject();
  const restartPolicy = spec.at("template.spec.restartPolicy");
  if (spec.at("template.spec").present && !restartPolicy.present) restartPolicy.report("is required for a Job: Never or OnFailure");
  const template = parsePodTemplate(spec.key("template"), ["Never", "OnFailure"]);
  return {
    ...head,
    kind: "Job",
    spec: {
      template,
      backoffLimit: spec.key("backoffLimit").int({ min: 0 }) ?? 6,
      completions: spec.key("completions").int({ min: 1 }) ?? 1,
      parallelism: spec.key("parallelism").int({ min: 0 }) ?? 1,
      activeDeadlineSeconds: spec.key("activeDeadlineSeconds").int({ min: 1 }),
    },
  };
}
