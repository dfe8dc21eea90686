/** The labels that tie a container to its slipway instance, application, namespace, workload, revision and replica, and how they are read back for adoption. */

import type { OrphanReplica, PortBinding, ReplicaLaunch } from "../replica-driver";
import type { PodTemplate } from "../types";

export const labelKeys = {
  /** Which slipway (runtime name and data directory) started the container: one engine can serve several. */
  owner: "slipway.dev/owner",
  application: "slipway.dev/application",
  namespace: "slipway.dev/namespace",
  workloadKind: "slipway.dev/workload-kind",
  workload: "slipway.dev/workload",
  revision: "slipway.dev/revision",
  replica: "slipway.dev/replica",
  ports: "slipway.dev/ports",
  /** The pod template as JSON, so a replica of an old revision can be adopted and retired by the rollout. */
  template: "slipway.dev/template",
} as const;

/** Argo CD's tracking label, set by the sync controller on every object it applies. */
const applicationTrackingLabel = "app.kubernetes.io/instance";

export function containerLabels(owner: string, launch: ReplicaLaunch, template: PodTemplate, workloadLabels: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    ...launch.labels,
    [labelKeys.owner]: owner,
    [labelKeys.namespace]: launch.namespace,
    [labelKeys.workloadKind]: launch.workload.kind,
    [labelKeys.workload]: launch.workload.name,
    [labelKeys.revision]: launch.revision,
    [labelKeys.replica]: launch.name,
    [labelKeys.ports]: JSON.stringify(launch.ports),
    [labelKeys.template]: JSON.stringify(template),
  };
  const application = workloadLabels[applicationTrackingLabel] ?? launch.labels[applicationTrackingLabel];
  if (application) labels[labelKeys.application] = application;
  return labels;
}

/** Engine list filters for one owner's containers, optionally narrowed to a namespace and workload. */
export function labelFilter(owner: string, namespace?: string, workload?: { kind: string; name: string }): string[] {
  const filter = [`${labelKeys.owner}=${owner}`];
  if (namespace !== undefined) filter.push(`${labelKeys.namespace}=${namespace}`);
  if (workload) filter.push(`${labelKeys.workloadKind}=${workload.kind}`, `${labelKeys.workload}=${workload.name}`);
  return filter;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parsePorts(value: unknown): PortBinding[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ports: PortBinding[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.containerPort !== "number" || typeof item.hostPort !== "number") return undefined;
    ports.push({ name: typeof item.name === "string" ? item.name : undefined, containerPort: item.containerPort, hostPort: item.hostPort });
  }
  return ports;
}

/** A running container's labels as an orphan replica; undefined when they are not slipway's (or were edited by hand). */
export function orphanFromLabels(labels: Record<string, string>, startedAt: number): OrphanReplica | undefined {
  const name = labels[labelKeys.replica];
  const revision = labels[labelKeys.revision];
  const ports = parsePorts(parseJson(labels[labelKeys.ports]));
  const template = parseJson(labels[labelKeys.template]);
  if (!name || !revision || !ports || !isRecord(template) || !Array.isArray(template.containers) || !isRecord(template.labels)) return undefined;
  // The template was written by containerLabels from a validated PodTemplate.
  return { name, revision, ports, template: template as unknown as PodTemplate, startedAt };
}
