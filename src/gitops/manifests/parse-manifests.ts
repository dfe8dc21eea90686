/** Manifest documents into typed objects: kind dispatch, apiVersion checks and the checks across a set (duplicates). */

import { Field } from "./field";
import { isSupportedKind, manifestKey, supportedKinds, type Manifest, type ManifestKind } from "./model";
import { parseApplication } from "./parse-application";
import { parseConfigMap, parseNamespace, parseSecret } from "./parse-config";
import { parseMetadata, type ManifestHead } from "./parse-metadata";
import { parseIngress, parseService } from "./parse-network";
import { parseDeployment, parseJob } from "./parse-workloads";
import { manifestError, type ManifestProblem } from "./problems";
import { readManifestDocuments, type ManifestDocument } from "./yaml-documents";

type KindParser = (root: Field, head: ManifestHead) => Manifest;

const parsers: Record<ManifestKind, KindParser> = {
  Namespace: parseNamespace,
  ConfigMap: parseConfigMap,
  Secret: parseSecret,
  Service: parseService,
  Deployment: parseDeployment,
  Job: parseJob,
  Ingress: parseIngress,
  Application: parseApplication,
};

export interface ManifestsResult {
  manifests: Manifest[];
  problems: ManifestProblem[];
}

/** One document; undefined when its kind or apiVersion is unusable (the problem says why). */
export function parseManifestDocument(document: ManifestDocument, problems: ManifestProblem[]): Manifest | undefined {
  const root = Field.root(document, problems);
  const kindField = root.key("kind");
  const kind = kindField.requiredString();
  const apiVersionField = root.key("apiVersion");
  const apiVersion = apiVersionField.requiredString();
  if (kind === "") return undefined;
  if (!isSupportedKind(kind)) {
    kindField.report(`"${kind}" is not supported (supported kinds: ${Object.keys(supportedKinds).join(", ")})`);
    return undefined;
  }
  if (apiVersion !== "" && apiVersion !== supportedKinds[kind]) {
    apiVersionField.report(`must be ${supportedKinds[kind]} for a ${kind} (got "${apiVersion}")`);
  }
  const head: ManifestHead = {
    apiVersion: supportedKinds[kind],
    metadata: parseMetadata(root, kind),
    source: { file: document.file, line: document.line },
    raw: document.value,
  };
  return parsers[kind](root, head);
}

/** Every document, then the checks that need the whole set. A document with problems is still returned typed. */
export function parseManifestDocuments(documents: ManifestDocument[]): ManifestsResult {
  const problems: ManifestProblem[] = [];
  const manifests: Manifest[] = [];
  for (const document of documents) {
    const manifest = parseManifestDocument(document, problems);
    if (manifest) manifests.push(manifest);
  }
  problems.push(...findDuplicates(manifests));
  return { manifests, problems };
}

/** A file's text: YAML problems and manifest problems together. */
export function parseManifestText(file: string, text: string): ManifestsResult {
  const read = readManifestDocuments(file, text);
  const parsed = parseManifestDocuments(read.documents);
  return { manifests: parsed.manifests, problems: [...read.problems, ...parsed.problems] };
}

/** Several files as one set; throws MANIFEST_INVALID naming every problem. */
export function loadManifests(files: { path: string; text: string }[]): Manifest[] {
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  for (const file of files) {
    const read = readManifestDocuments(file.path, file.text);
    documents.push(...read.documents);
    problems.push(...read.problems);
  }
  const parsed = parseManifestDocuments(documents);
  problems.push(...parsed.problems);
  if (problems.length > 0) throw manifestError(problems);
  return parsed.manifests;
}

export function findDuplicates(manifests: Manifest[]): ManifestProblem[] {
  const first = new Map<string, Manifest>();
  const problems: ManifestProblem[] = [];
  for (const manifest of manifests) {
    if (manifest.metadata.name === "") continue;
    const key = manifestKey(manifest);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, manifest);
      continue;
    }
    const where = manifest.metadata.namespace === undefined ? manifest.metadata.name : `${manifest.metadata.namespace}/${manifest.metadata.name}`;
    problems.push({
      file: manifest.source.file,
      line: manifest.source.line,
      field: "",
      message: `duplicate ${manifest.kind} ${where} (first defined at ${earlier.source.file}:${earlier.source.line})`,
    });
  }
  return problems;
}
