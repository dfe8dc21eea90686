/** Namespaces, ConfigMaps and Secrets (base64 `data` decoded and merged with `stringData`). */

import type { Field } from "./field";
import type { ConfigMapManifest, NamespaceManifest, SecretManifest } from "./model";
import type { ManifestHead } from "./parse-metadata";

export function parseNamespace(_root: Field, head: ManifestHead): NamespaceManifest {
  return { ...head, kind: "Namespace" };
}

export function parseConfigMap(root: Field, head: ManifestHead): ConfigMapManifest {
  if (root.key("binaryData").present) root.key("binaryData").report("is not supported: use data");
  return { ...head, kind: "ConfigMap", data: root.key("data").stringMap() };
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseSecret(root: Field, head: ManifestHead): SecretManifest {
  const data: Record<string, string> = {};
  const encoded = root.key("data").stringMap();
  for (const [key, value] of Object.entries(encoded)) {
    if (!base64.test(value)) {
      root.key("data").key(key).report("is not valid base64 (use stringData for plain text)");
      continue;
    }
    data[key] = Buffer.from(value, "base64").toString("utf8");
  }
  Object.assign(data, root.key("stringData").stringMap());
  return { ...head, kind: "Secret", type: root.key("type").string() ?? "Opaque", data };
}
