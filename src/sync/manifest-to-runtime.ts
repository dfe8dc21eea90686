/** Maps validated gitops manifests onto the runtime's plain-data specs; a container without `command` runs its image's Entrypoint/Cmd. */

import type * as M from "../gitops/manifests/model";
import type { ManifestProblem } from "../gitops/manifests/problems";
import type * as R from "../runtime/types";

/** Argo CD's default tracking label: which Application owns a live object (prune and drift only look at its own). */
export const instanceLabel = "app.kubernetes.io/instance";

export interface RuntimeMapping {
  /** The manifest's namespace (the Application's destination when it named none). */
  namespace: string;
  manifest: M.Manifest;
  object: R.RuntimeObject;
}

export interface MappingResult {
  mapped: RuntimeMapping[];
  /** Namespaces the manifests declare (created implicitly by the runtime). */
  namespaces: string[];
  problems: ManifestProblem[];
}

type Report = (field: string, message: string) => void;

/** Every manifest of an Application as runtime objects, labelled with the owning app; problems name file, line and field. */
export function manifestsToRuntime(manifests: M.Manifest[], options: { app: string; defaultNamespace: string }): MappingResult {
  const result: MappingResult = { mapped: [], namespaces: [], problems: [] };
  for (const manifest of manifests) {
    const report: Report = (field, message) => result.problems.push({ ...manifest.source, field, message });
    if (manifest.kind === "Namespace") {
      result.namespaces.push(manifest.metadata.name);
      continue;
    }
    if (manifest.kind === "Application") {
      report("kind", "an Application does not belong in an application's manifests");
      continue;
    }
    const object = toRuntimeObject(manifest, report);
    if (object === undefined) continue;
    object.labels = { ...object.labels, [instanceLabel]: options.app };
    result.mapped.push({ namespace: manifest.metadata.namespace ?? options.defaultNamespace, manifest, object });
  }
  return result;
}

function nonEmpty<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}

export function toRuntimeObject(manifest: Exclude<M.Manifest, M.NamespaceManifest | M.ApplicationManifest>, report: Report): R.RuntimeObject | undefined {
  const { name, labels } = manifest.metadata;
  switch (manifest.kind) {
    case "ConfigMap":
      return { kind: "ConfigMap", name, labels: { ...labels }, data: { ...manifest.data } };
    case "Secret":
      return { kind: "Secret", name, labels: { ...labels }, data: { ...manifest.data } };
    case "Service":
      return {
        kind: "Service",
        name,
        labels: { ...labels },
        selector: { ...manifest.spec.selector },
        ports: manifest.spec.ports.map((port, index) => {
          if (port.protocol !== "TCP") report(`spec.ports[${index}].protocol`, `${port.protocol} is not supported by the runtime (TCP only)`);
          return {
            ...(port.name === undefined ? {} : { name: port.name }),
            port: port.port,
            targetPort: port.targetPort,
            protocol: "TCP" as const,
            ...(port.nodePort === undefined ? {} : { nodePort: port.nodePort }),
            ...(port.appProtocol === undefined ? {} : { appProtocol: port.appProtocol }),
          };
        }),
      };
    case "Ingress":
      return {
        kind: "Ingress",
        name,
        labels: { ...labels },
        rules: manifest.spec.rules.map((rule) => ({
          ...(rule.host === undefined ? {} : { host: rule.host }),
          paths: rule.paths.map((path) => ({ path: path.path, pathType: path.pathType, backend: backendOf(path.backend) })),
        })),
        ...(manifest.spec.defaultBackend ? { defaultBackend: backendOf(manifest.spec.defaultBackend) } : {}),
      };
    case "Deployment": {
      const spec = manifest.spec;
      const deployment: R.DeploymentSpec = {
        kind: "Deployment",
        name,
        labels: { ...labels },
        replicas: spec.replicas,
        selector: { ...spec.selector.matchLabels },
        template: templateOf(spec.template, "spec.template", report),
        strategy: spec.strategy.type === "Recreate"
          ? { type: "Recreate" }
          : { type: "RollingUpdate", rollingUpdate: { maxSurge: spec.strategy.rollingUpdate.maxSurge, maxUnavailable: spec.strategy.rollingUpdate.maxUnavailable } },
        minReadySeconds: spec.minReadySeconds,
        progressDeadlineSeconds: spec.progressDeadlineSeconds,
      };
      if (spec.paused) report("spec.paused", "paused Deployments are not supported by the runtime yet");
      return deployment;
    }
    case "Job": {
      const spec = manifest.spec;
      const restartPolicy = spec.template.spec.restartPolicy;
      if (restartPolicy === "Always") report("spec.template.spec.restartPolicy", "a Job's restartPolicy must be Never or OnFailure");
      const job: R.JobSpec = {
        kind: "Job",
        name,
        labels: { ...labels },
        template: { ...templateOf(spec.template, "spec.template", report), restartPolicy: restartPolicy === "OnFailure" ? "OnFailure" : "Never" },
        backoffLimit: spec.backoffLimit,
        completions: spec.completions,
        ...(spec.activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds: spec.activeDeadlineSeconds }),
      };
      return job;
    }
  }
}

function backendOf(backend: M.IngressBackend): R.IngressBackend {
  return { service: { name: backend.service.name, port: { ...backend.service.port } } };
}

function templateOf(template: M.PodTemplate, field: string, report: Report): R.PodTemplate {
  const spec = template.spec;
  if (spec.initContainers.length > 0) report(`${field}.spec.initContainers`, "init containers are not supported by the runtime yet");
  const annotations = nonEmpty({ ...template.metadata.annotations });
  const volumes = spec.volumes.map((volume) => volumeOf(volume));
  return {
    labels: { ...template.metadata.labels },
    ...(annotations ? { annotations } : {}),
    containers: spec.containers.map((container, index) => containerOf(container, `${field}.spec.containers[${index}]`, report)),
    ...(volumes.length > 0 ? { volumes } : {}),
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
  };
}

function volumeOf(volume: M.Volume): R.Volume {
  const result: R.Volume = { name: volume.name };
  if (volume.configMap) result.configMap = { name: volume.configMap.name, items: volume.configMap.items.map((item) => ({ ...item })), optional: volume.configMap.optional };
  if (volume.secret) result.secret = { secretName: volume.secret.secretName, items: volume.secret.items.map((item) => ({ ...item })), optional: volume.secret.optional };
  if (volume.emptyDir) result.emptyDir = {};
  return result;
}

function containerOf(container: M.Container, field: string, report: Report): R.ContainerSpec {
  // Without command the runtime runs the image's Entrypoint/Cmd (args still override Cmd).
  const limits = pick(container.resources.limits);
  const requests = pick(container.resources.requests);
  const resources = limits || requests ? { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) } : undefined;
  return {
    name: container.name,
    image: container.image,
    command: [...(container.command ?? [])],
    ...(container.args ? { args: [...container.args] } : {}),
    ...(container.workingDir ? { workingDir: container.workingDir } : {}),
    ...(container.env.length > 0 ? { env: container.env.map(envOf) } : {}),
    ...(container.envFrom.length > 0 ? { envFrom: container.envFrom.map((source) => structuredClone(source)) } : {}),
    ...(container.ports.length > 0 ? { ports: container.ports.map((port, index) => portOf(port, `${field}.ports[${index}]`, report)) } : {}),
    ...(container.readinessProbe ? { readinessProbe: probeOf(container.readinessProbe) } : {}),
    ...(container.livenessProbe ? { livenessProbe: probeOf(container.livenessProbe) } : {}),
    ...(container.startupProbe ? { startupProbe: probeOf(container.startupProbe) } : {}),
    ...(container.volumeMounts.length > 0 ? { volumeMounts: container.volumeMounts.map((mount) => ({ name: mount.name, mountPath: mount.mountPath, readOnly: mount.readOnly })) } : {}),
    ...(resources ? { resources } : {}),
  };
}

function pick(values: Record<string, string>): { cpu?: string; memory?: string } | undefined {
  const result: { cpu?: string; memory?: string } = {};
  if (values.cpu !== undefined) result.cpu = values.cpu;
  if (values.memory !== undefined) result.memory = values.memory;
  return nonEmpty(result);
}

function envOf(env: M.EnvVar): R.EnvVar {
  if (env.valueFrom) return { name: env.name, valueFrom: structuredClone(env.valueFrom) };
  return { name: env.name, value: env.value ?? "" };
}

function portOf(port: M.ContainerPort, field: string, report: Report): R.ContainerPort {
  if (port.protocol === "SCTP") report(`${field}.protocol`, "SCTP is not supported by the runtime");
  return { ...(port.name === undefined ? {} : { name: port.name }), containerPort: port.containerPort, protocol: port.protocol === "UDP" ? "UDP" : "TCP" };
}

function probeOf(probe: M.Probe): R.ProbeSpec {
  const result: R.ProbeSpec = {
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
  };
  if (probe.httpGet) result.httpGet = { path: probe.httpGet.path, port: probe.httpGet.port, ...(probe.httpGet.httpHeaders.length > 0 ? { httpHeaders: probe.httpGet.httpHeaders.map((header) => ({ ...header })) } : {}) };
  if (probe.tcpSocket) result.tcpSocket = { port: probe.tcpSocket.port };
  if (probe.exec) result.exec = { command: [...probe.exec.command] };
  return result;
}
