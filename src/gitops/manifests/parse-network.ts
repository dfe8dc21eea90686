/** Services and Ingresses: ports, selectors, host and path rules. */

import type { Field } from "./field";
import type { IngressBackend, IngressManifest, IngressPath, ServiceManifest, ServicePort } from "./model";
import type { ManifestHead } from "./parse-metadata";

/** Kubernetes' default `--service-node-port-range`. */
export const minNodePort = 30000;
export const maxNodePort = 32767;

export function parseService(root: Field, head: ManifestHead): ServiceManifest {
  const spec = root.key("spec");
  if (!spec.present) spec.report("is required");
  spec.isObject();
  const type = spec.key("type").oneOf(["ClusterIP", "NodePort", "LoadBalancer"] as const) ?? "ClusterIP";
  const portsField = spec.key("ports");
  const portFields = portsField.items();
  if (spec.present && portFields.length === 0 && !(portsField.present && !Array.isArray(portsField.value))) portsField.report("needs at least one port");
  const ports = portFields.map(parseServicePort);
  const seen = new Set<string>();
  const nodePorts = new Set<number>();
  ports.forEach((port, i) => {
    const key = `${port.port}/${port.protocol}`;
    if (port.port !== 0 && seen.has(key)) portFields[i].key("port").report(`${port.port} is already a port of this Service`);
    seen.add(key);
    if (ports.length > 1 && port.name === undefined) portFields[i].key("name").report("is required when a Service has more than one port");
    if (port.nodePort === undefined) return;
    if (type === "ClusterIP") portFields[i].key("nodePort").report(`is only allowed when spec.type is NodePort or LoadBalancer (it is ClusterIP)`);
    if (nodePorts.has(port.nodePort)) portFields[i].key("nodePort").report(`${port.nodePort} is already a node port of this Service`);
    nodePorts.add(port.nodePort);
  });
  return { ...head, kind: "Service", spec: { type, selector: spec.key("selector").stringMap(), ports } };
}

function parseServicePort(field: Field): ServicePort {
  field.isObject();
  const portField = field.key("port");
  if (!portField.present) portField.report("is required");
  const port = portField.int({ min: 1 }) ?? 0;
  if (port > 65535) portField.report("must be at most 65535");
  const nodePortField = field.key("nodePort");
  const nodePort = nodePortField.int({ min: 1 });
  if (nodePort !== undefined && (nodePort < minNodePort || nodePort > maxNodePort)) nodePortField.report(`${nodePort} is outside the node port range ${minNodePort}-${maxNodePort}`);
  const appProtocol = field.key("appProtocol").string();
  return {
    name: field.key("name").string(),
    port,
    targetPort: field.key("targetPort").intOrString() ?? port,
    protocol: field.key("protocol").oneOf(["TCP", "UDP", "SCTP"] as const) ?? "TCP",
    ...(nodePort === undefined ? {} : { nodePort }),
    ...(appProtocol === undefined ? {} : { appProtocol }),
  };
}

export function parseIngress(root: Field, head: ManifestHead): IngressManifest {
  const spec = root.key("spec");
  if (!spec.present) spec.report("is required");
  spec.isObject();
  const defaultBackend = spec.key("defaultBackend");
  const rules = spec.key("rules").items().map((rule) => {
    rule.isObject();
    const paths = rule.at("http.paths");
    if (!paths.present) paths.report("is required");
    return { host: rule.key("host").string(), paths: paths.items().map(parseIngressPath) };
  });
  if (rules.length === 0 && !defaultBackend.present) spec.key("rules").report("is required (or spec.defaultBackend)");
  return {
    ...head,
    kind: "Ingress",
    spec: {
      ingressClassName: spec.key("ingressClassName").string(),
      defaultBackend: defaultBackend.isObject() ? parseBackend(defaultBackend) : undefined,
      rules,
    },
  };
}

function parseIngressPath(field: Field): IngressPath {
  field.isObject();
  const pathType = field.key("pathType");
  if (!pathType.present) pathType.report("is required: Prefix, Exact or ImplementationSpecific");
  const path = field.key("path").string() ?? "/";
  if (!path.startsWith("/")) field.key("path").report(`"${path}" must start with /`);
  return {
    path,
    pathType: pathType.oneOf(["Prefix", "Exact", "ImplementationSpecific"] as const) ?? "Prefix",
    backend: parseBackend(field.key("backend")),
  };
}

function parseBackend(field: Field): IngressBackend {
  if (!field.present) field.report("is required");
  if (field.key("resource").present) field.key("resource").report("is not supported: route to a service");
  const service = field.key("service");
  if (field.isObject() && !service.present && !field.key("resource").present) service.report("is required");
  const port = service.key("port");
  if (service.isObject() && !port.present) port.report("is required");
  const number = port.key("number").int({ min: 1 });
  const name = port.key("name").string();
  if (port.isObject() && number === undefined && name === undefined && !port.key("number").present) port.report("needs number or name");
  return { service: { name: service.key("name").requiredString(), port: { number, name } } };
}
