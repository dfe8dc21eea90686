/** Object metadata and the fields every manifest shares: names checked the way Kubernetes checks them. */

import type { JsonObject } from "../../core/json";
import type { Field } from "./field";
import type { ObjectMeta, SourcePosition } from "./model";

export interface ManifestHead {
  apiVersion: string;
  metadata: ObjectMeta;
  source: SourcePosition;
  raw: JsonObject;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names become DNS labels (a Service name is a host name; a Namespace name a label). */
const labelNamedKinds = new Set(["Service", "Namespace"]);

export function parseMetadata(root: Field, kind: string): ObjectMeta {
  const metadata = root.key("metadata");
  if (!metadata.present) {
    metadata.report("is required");
    return { name: "", labels: {}, annotations: {} };
  }
  metadata.isObject();
  const nameField = metadata.key("name");
  if (!nameField.present && metadata.key("generateName").present) metadata.key("generateName").report("is not supported: give the object a name");
  const name = nameField.requiredString();
  if (name !== "") checkName(nameField, name, labelNamedKinds.has(kind));
  const namespaceField = metadata.key("namespace");
  const namespace = namespaceField.string();
  if (namespace !== undefined) checkName(namespaceField, namespace, true);
  const meta: ObjectMeta = { name, labels: metadata.key("labels").stringMap(), annotations: metadata.key("annotations").stringMap() };
  if (namespace !== undefined) meta.namespace = namespace;
  return meta;
}

function checkName(field: Field, name: string, label: boolean): void {
  const limit = label ? 63 : 253;
  const pattern = label ? dnsLabel : dnsSubdomain;
  if (name.length > limit) field.report(`"${name}" is longer than ${limit} characters`);
  else if (!pattern.test(name)) {
    const what = label ? "a DNS label (lowercase letters, digits and '-')" : "a DNS name (lowercase letters, digits, '-' and '.')";
    field.report(`"${name}" must be ${what}`);
  }
}

/** `app=web,tier=frontend`, for messages. */
export function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? "(none)" : pairs.join(",");
}
