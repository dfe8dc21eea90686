/** Pod templates: containers (image, env, ports, probes, resources, mounts) and volumes, with Kubernetes defaults. */

import type { Field } from "./field";
import type { Container, ContainerPort, EnvFromSource, EnvVar, KeySelector, KeyToPath, PodTemplate, Probe, Volume } from "./model";

const protocols = ["TCP", "UDP", "SCTP"] as const;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parsePodTemplate(template: Field, restartPolicies: readonly ("Always" | "OnFailure" | "Never")[]): PodTemplate {
  if (!template.present) template.report("is required");
  template.isObject();
  const metadata = template.key("metadata");
  const spec = template.key("spec");
  if (template.present && !spec.present) spec.report("is required");
  const volumes = spec.key("volumes").items().map(parseVolume);
  const containersField = spec.key("containers");
  const containerFields = containersField.items();
  const initFields = spec.key("initContainers").items();
  if (spec.present && containerFields.length === 0 && !problemReported(containersField)) containersField.report("needs at least one container");
  const containers = containerFields.map(parseContainer);
  const initContainers = initFields.map(parseContainer);
  checkContainerNames([...containerFields, ...initFields], [...containers, ...initContainers]);
  checkPortClash(containerFields, containers);
  checkVolumeMounts([...containerFields, ...initFields], [...containers, ...initContainers], volumes);
  const restartPolicy = spec.key("restartPolicy").oneOf(["Always", "OnFailure", "Never"] as const) ?? restartPolicies[0];
  if (spec.key("restartPolicy").present && !restartPolicies.includes(restartPolicy)) {
    spec.key("restartPolicy").report(`must be ${restartPolicies.join(" or ")} here`);
  }
  return {
    metadata: { labels: metadata.key("labels").stringMap(), annotations: metadata.key("annotations").stringMap() },
    spec: {
      containers,
      initContainers,
      volumes,
      restartPolicy,
      terminationGracePeriodSeconds: spec.key("terminationGracePeriodSeconds").int({ min: 0 }) ?? 30,
    },
  };
}

// A list of the wrong type has already been reported by items(); don't pile "needs one" on top.
function problemReported(field: Field): boolean {
  return field.present && !Array.isArray(field.value);
}

function parseContainer(field: Field): Container {
  field.isObject();
  const name = field.key("name").requiredString();
  if (name !== "" && !dnsLabel.test(name)) field.key("name").report(`"${name}" must be a DNS label (lowercase letters, digits and '-')`);
  const image = field.key("image").requiredString();
  if (/\s/.test(image)) field.key("image").report(`"${image}" must not contain spaces`);
  const ports = field.key("ports").items().map(parseContainerPort);
  const container: Container = {
    name,
    image,
    command: field.key("command").stringList(),
    args: field.key("args").stringList(),
    workingDir: field.key("workingDir").string(),
    env: field.key("env").items().map(parseEnvVar),
    envFrom: field.key("envFrom").items().map(parseEnvFrom),
    ports,
    resources: {
      limits: field.at("resources.limits").quantityMap(),
      requests: field.at("resources.requests").quantityMap(),
    },
    volumeMounts: field.key("volumeMounts").items().map((mount) => ({
      name: mount.key("name").requiredString(),
      mountPath: mount.key("mountPath").requiredString(),
      readOnly: mount.key("readOnly").bool() ?? false,
      subPath: mount.key("subPath").string(),
    })),
  };
  for (const probeName of ["readinessProbe", "livenessProbe", "startupProbe"] as const) {
    const probe = field.key(probeName);
    if (probe.isObject()) container[probeName] = parseProbe(probe, ports);
  }
  return container;
}

function parseContainerPort(field: Field): ContainerPort {
  field.isObject();
  const containerPort = field.key("containerPort");
  if (!containerPort.present) containerPort.report("is required");
  const port = containerPort.int({ min: 1 }) ?? 0;
  if (port > 65535) containerPort.report("must be at most 65535");
  return { containerPort: port, name: field.key("name").string(), protocol: field.key("protocol").oneOf(protocols) ?? "TCP" };
}

function parseEnvVar(field: Field): EnvVar {
  field.isObject();
  const env: EnvVar = { name: field.key("name").requiredString() };
  const value = field.key("value");
  const valueFrom = field.key("valueFrom");
  if (value.present) env.value = value.string();
  if (value.present && valueFrom.present) valueFrom.report("cannot be given together with value");
  if (valueFrom.isObject()) {
    const configMap = valueFrom.key("configMapKeyRef");
    const secret = valueFrom.key("secretKeyRef");
    if (configMap.isObject()) env.valueFrom = { configMapKeyRef: parseKeySelector(configMap) };
    else if (secret.isObject()) env.valueFrom = { secretKeyRef: parseKeySelector(secret) };
    else valueFrom.report("needs configMapKeyRef or secretKeyRef (fieldRef and resourceFieldRef are not supported)");
  }
  return env;
}

function parseKeySelector(field: Field): KeySelector {
  return { name: field.key("name").requiredString(), key: field.key("key").requiredString(), optional: field.key("optional").bool() ?? false };
}

function parseEnvFrom(field: Field): EnvFromSource {
  field.isObject();
  const source: EnvFromSource = { prefix: field.key("prefix").string() };
  const configMap = field.key("configMapRef");
  const secret = field.key("secretRef");
  if (configMap.isObject()) source.configMapRef = { name: configMap.key("name").requiredString(), optional: configMap.key("optional").bool() ?? false };
  if (secret.isObject()) source.secretRef = { name: secret.key("name").requiredString(), optional: secret.key("optional").bool() ?? false };
  if (!configMap.present && !secret.present) field.report("needs configMapRef or secretRef");
  return source;
}

function parseProbe(field: Field, ports: ContainerPort[]): Probe {
  const handlers = (["httpGet", "tcpSocket", "exec"] as const).filter((name) => field.key(name).present);
  if (handlers.length === 0) field.report("needs one of httpGet, tcpSocket, exec");
  if (handlers.length > 1) field.report(`must have only one of httpGet, tcpSocket, exec (has ${handlers.join(", ")})`);
  const probe: Probe = {
    initialDelaySeconds: field.key("initialDelaySeconds").int({ min: 0 }) ?? 0,
    periodSeconds: field.key("periodSeconds").int({ min: 1 }) ?? 10,
    timeoutSeconds: field.key("timeoutSeconds").int({ min: 1 }) ?? 1,
    failureThreshold: field.key("failureThreshold").int({ min: 1 }) ?? 3,
    successThreshold: field.key("successThreshold").int({ min: 1 }) ?? 1,
  };
  const httpGet = field.key("httpGet");
  if (httpGet.isObject()) {
    probe.httpGet = {
      path: httpGet.key("path").string() ?? "/",
      port: probePort(httpGet.key("port"), ports),
      host: httpGet.key("host").string(),
      scheme: httpGet.key("scheme").oneOf(["HTTP", "HTTPS"] as const) ?? "HTTP",
      httpHeaders: httpGet.key("httpHeaders").items().map((header) => ({ name: header.key("name").requiredString(), value: header.key("value").string() ?? "" })),
    };
  }
  const tcpSocket = field.key("tcpSocket");
  if (tcpSocket.isObject()) probe.tcpSocket = { port: probePort(tcpSocket.key("port"), ports), host: tcpSocket.key("host").string() };
  const exec = field.key("exec");
  if (exec.isObject()) {
    const command = exec.key("command").stringList();
    if (!command || command.length === 0) exec.key("command").report("is required");
    probe.exec = { command: command ?? [] };
  }
  return probe;
}

function probePort(field: Field, ports: ContainerPort[]): number | string {
  if (!field.present) field.report("is required");
  const port = field.intOrString() ?? 0;
  if (typeof port === "string" && !ports.some((p) => p.name === port)) field.report(`"${port}" is not the name of a port of this container`);
  return port;
}

function parseVolume(field: Field): Volume {
  field.isObject();
  const volume: Volume = { name: field.key("name").requiredString() };
  const configMap = field.key("configMap");
  const secret = field.key("secret");
  if (configMap.isObject()) {
    volume.configMap = { name: configMap.key("name").requiredString(), items: parseKeyToPath(configMap.key("items")), optional: configMap.key("optional").bool() ?? false };
  } else if (secret.isObject()) {
    volume.secret = { secretName: secret.key("secretName").requiredString(), items: parseKeyToPath(secret.key("items")), optional: secret.key("optional").bool() ?? false };
  } else if (field.key("emptyDir").present) {
    volume.emptyDir = {};
  } else if (!configMap.present && !secret.present) {
    field.report("needs configMap, secret or emptyDir (other volume types are not supported)");
  }
  return volume;
}

function parseKeyToPath(field: Field): KeyToPath[] {
  return field.items().map((item) => ({ key: item.key("key").requiredString(), path: item.key("path").requiredString() }));
}

function checkContainerNames(fields: Field[], containers: Container[]): void {
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    if (container.name !== "" && seen.has(container.name)) fields[i].key("name").report(`"${container.name}" is used by another container of this pod`);
    seen.add(container.name);
  });
}

/** Containers of one pod share its network: one port number (per protocol) can be claimed once. */
function checkPortClash(fields: Field[], containers: Container[]): void {
  const claimed = new Map<string, string>();
  containers.forEach((container, c) => {
    container.ports.forEach((port, p) => {
      if (port.containerPort === 0) return;
      const key = `${port.containerPort}/${port.protocol}`;
      const owner = claimed.get(key);
      if (owner !== undefined) {
        fields[c].at(`ports`).items()[p].key("containerPort").report(`${port.containerPort} clashes with a port of container "${owner}"`);
      } else claimed.set(key, container.name);
    });
  });
}

function checkVolumeMounts(fields: Field[], containers: Container[], volumes: Volume[]): void {
  const names = new Set(volumes.map((volume) => volume.name));
  containers.forEach((container, c) => {
    container.volumeMounts.forEach((mount, m) => {
      if (mount.name !== "" && !names.has(mount.name)) fields[c].key("volumeMounts").items()[m].key("name").report(`"${mount.name}" is not a volume of this pod`);
    });
  });
}
