/** Checks runtime objects before anything is applied, naming the object and field of every problem. */

import { SlipwayError } from "../core/errors";
import type { ContainerSpec, DeploymentSpec, IngressBackend, IngressSpec, JobSpec, PodTemplate, ProbeSpec, RuntimeObject, ServiceSpec } from "./types";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const intOrPercent = /^\d+%$/;
const knownKinds = new Set(["Deployment", "Service", "Ingress", "ConfigMap", "Secret", "Job"]);

type Report = (field: string, message: string) => void;

function checkProbe(probe: ProbeSpec | undefined, field: string, container: ContainerSpec, report: Report): void {
  if (!probe) return;
  const handlers = [probe.httpGet, probe.tcpSocket, probe.exec].filter((handler) => handler !== undefined).length;
  if (handlers !== 1) report(field, "needs exactly one of httpGet, tcpSocket, exec");
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === "string" && !(container.ports ?? []).some((candidate) => candidate.name === port)) report(`${field}.port`, `names no container port "${port}"`);
  if (probe.exec && probe.exec.command.length === 0) report(`${field}.exec.command`, "is empty");
  for (const key of ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"] as const) {
    const value = probe[key];
    if (value !== undefined && (typeof value !== "number" || !(value >= 0))) report(`${field}.${key}`, "must be a number ≥ 0");
  }
}

function checkTemplate(template: PodTemplate, field: string, report: Report): void {
  if (!template?.containers || template.containers.length !== 1) {
    report(`${field}.containers`, `the local runtime runs exactly one container per replica (got ${template?.containers?.length ?? 0})`);
    return;
  }
  const container = template.containers[0];
  const at = `${field}.containers[0]`;
  if (!container.image) report(`${at}.image`, "is missing");
  // An empty command means the image's Entrypoint/Cmd (the driver resolves it when the replica starts).
  if (!Array.isArray(container.command)) report(`${at}.command`, "must be a list of strings (empty: the image's Entrypoint and Cmd)");
  const seen = new Set<number>();
  for (const [index, port] of (container.ports ?? []).entries()) {
    if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) report(`${at}.ports[${index}].containerPort`, "must be 1-65535");
    if (seen.has(port.containerPort)) report(`${at}.ports[${index}].containerPort`, `${port.containerPort} is declared twice`);
    seen.add(port.containerPort);
  }
  checkProbe(container.readinessProbe, `${at}.readinessProbe`, container, report);
  checkProbe(container.livenessProbe, `${at}.livenessProbe`, container, report);
  checkProbe(container.startupProbe, `${at}.startupProbe`, container, report);
  for (const [index, mount] of (container.volumeMounts ?? []).entries()) {
    if (!(template.volumes ?? []).some((volume) => volume.name === mount.name)) report(`${at}.volumeMounts[${index}].name`, `names no volume "${mount.name}"`);
  }
}

function checkDeployment(spec: DeploymentSpec, report: Report): void {
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) report("spec.replicas", "must be an integer ≥ 0");
  const selector = Object.entries(spec.selector ?? {});
  if (selector.length === 0) report("spec.selector", "is empty");
  else if (!selector.every(([key, value]) => spec.template?.labels?.[key] === value)) report("spec.selector", "does not match spec.template.labels");
  checkTemplate(spec.template, "spec.template", report);
  if (spec.strategy?.type === "RollingUpdate") {
    for (const key of ["maxSurge", "maxUnavailable"] as const) {
      const value = spec.strategy.rollingUpdate?.[key];
      if (value !== undefined && !(typeof value === "number" ? Number.isInteger(value) && value >= 0 : intOrPercent.test(value))) {
        report(`spec.strategy.rollingUpdate.${key}`, `"${value}" is neither a count nor a percentage`);
      }
    }
  }
}

function checkBackend(backend: IngressBackend | undefined, field: string, report: Report): void {
  if (!backend?.service?.name) report(`${field}.service.name`, "is missing");
  else if (backend.service.port?.number === undefined && backend.service.port?.name === undefined) report(`${field}.service.port`, "needs a number or a name");
}

function checkIngress(spec: IngressSpec, report: Report): void {
  if ((spec.rules ?? []).length === 0 && !spec.defaultBackend) report("spec.rules", "is empty and there is no defaultBackend");
  for (const [ruleIndex, rule] of (spec.rules ?? []).entries()) {
    if (rule.host !== undefined && !(rule.host.startsWith("*.") ? dnsSubdomain.test(rule.host.slice(2)) : dnsSubdomain.test(rule.host))) report(`spec.rules[${ruleIndex}].host`, `"${rule.host}" is not a host name`);
    for (const [pathIndex, path] of rule.paths.entries()) {
      const field = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
      if (!["Prefix", "Exact", "ImplementationSpecific"].includes(path.pathType)) report(`${field}.pathType`, `"${path.pathType}" is not Prefix, Exact or ImplementationSpecific`);
      if (path.path !== undefined && !path.path.startsWith("/")) report(`${field}.path`, "must start with /");
      checkBackend(path.backend, `${field}.backend`, report);
    }
  }
  if (spec.defaultBackend) checkBackend(spec.defaultBackend, "spec.defaultBackend", report);
}

function checkService(spec: ServiceSpec, report: Report): void {
  if (Object.keys(spec.selector ?? {}).length === 0) report("spec.selector", "is empty (the local runtime needs a selector)");
  if ((spec.ports ?? []).length === 0) report("spec.ports", "is empty");
  const seen = new Set<number>();
  for (const [index, port] of (spec.ports ?? []).entries()) {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) report(`spec.ports[${index}].port`, "must be 1-65535");
    if (seen.has(port.port)) report(`spec.ports[${index}].port`, `${port.port} is declared twice`);
    seen.add(port.port);
    if (port.nodePort !== undefined && (!Number.isInteger(port.nodePort) || port.nodePort < 1 || port.nodePort > 65535)) report(`spec.ports[${index}].nodePort`, "must be 1-65535");
  }
}

/** A node port is one listener on 127.0.0.1: two Services of a batch cannot both have it. */
function checkNodePorts(objects: RuntimeObject[], report: (object: RuntimeObject, field: string, message: string) => void): void {
  const owners = new Map<number, string>();
  for (const object of objects) {
    if (object.kind !== "Service") continue;
    for (const [index, port] of (object.ports ?? []).entries()) {
      if (port.nodePort === undefined) continue;
      const owner = owners.get(port.nodePort);
      if (owner) report(object, `spec.ports[${index}].nodePort`, `${port.nodePort} is already the node port of Service ${owner}`);
      else owners.set(port.nodePort, object.name);
    }
  }
}

function checkJob(spec: JobSpec, report: Report): void {
  checkTemplate(spec.template, "spec.template", report);
  const policy = spec.template?.restartPolicy;
  if (policy !== undefined && policy !== "Never" && policy !== "OnFailure") report("spec.template.restartPolicy", "must be Never or OnFailure");
}

/** Throws one REQUEST_INVALID listing every problem; returns when the batch is valid. */
export function validateObjects(namespace: string, objects: RuntimeObject[]): void {
  const problems: string[] = [];
  if (!dnsLabel.test(namespace) || namespace.length > 63) problems.push(`namespace "${namespace}": must be a DNS label (lowercase letters, digits, "-")`);
  const seen = new Set<string>();
  for (const object of objects) {
    const label = `${object.kind} ${namespace}/${object.name}`;
    const report: Report = (field, message) => problems.push(`${label}: ${field} ${message}`);
    if (!knownKinds.has(object.kind)) {
      problems.push(`${String(object.kind)} ${namespace}/${object.name}: unknown kind (the local runtime runs ${[...knownKinds].join(", ")})`);
      continue;
    }
    if (!object.name || !dnsSubdomain.test(object.name) || object.name.length > 253) report("metadata.name", `"${object.name}" is not a valid name`);
    if (seen.has(`${object.kind}/${object.name}`)) report("metadata.name", "appears twice in one apply");
    seen.add(`${object.kind}/${object.name}`);
    if (object.kind === "Deployment") checkDeployment(object, report);
    else if (object.kind === "Service") checkService(object, report);
    else if (object.kind === "Ingress") checkIngress(object, report);
    else if (object.kind === "Job") checkJob(object, report);
  }
  checkNodePorts(objects, (object, field, message) => problems.push(`${object.kind} ${namespace}/${object.name}: ${field} ${message}`));
  if (problems.length > 0) {
    throw new SlipwayError("REQUEST_INVALID", `invalid objects for namespace ${namespace}:\n  ${problems.join("\n  ")}`, { details: { problems } });
  }
}
