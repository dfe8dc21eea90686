/** Render a manifest directory — plain YAML (recursive, sorted) or a kustomization — into validated manifests. */

import { posix } from "node:path";
import { manifestError, type ManifestProblem } from "../manifests/problems";
import type { Manifest } from "../manifests/model";
import { parseManifestDocuments } from "../manifests/parse-manifests";
import { readManifestDocuments, type ManifestDocument } from "../manifests/yaml-documents";
import { kustomizationFileNames, parseKustomization } from "./kustomization";
import { isUnder, normalizeRepoPath, type ManifestReader } from "./manifest-reader";
import { addCommonLabels, addNamePrefix, parseArgoImageOverride, setImages, setNamespace } from "./transforms";

export interface RenderOptions {
  /** The Application's destination namespace, for namespaced objects that name none (as Argo CD does). */
  defaultNamespace?: string;
  /** The Application's `spec.source.kustomize.images` overrides. */
  images?: string[];
}

export interface RenderedDocuments {
  documents: ManifestDocument[];
  problems: ManifestProblem[];
}

const isYaml = (path: string): boolean => /\.ya?ml$/.test(path);

/** Validated manifests of `dir`; throws MANIFEST_INVALID naming file, line and field of every problem. */
export async function renderEnvironment(reader: ManifestReader, dir: string, options: RenderOptions = {}): Promise<Manifest[]> {
  const rendered = await renderDocuments(reader, dir);
  for (const document of rendered.documents) {
    if (options.defaultNamespace !== undefined) setNamespace(document.value, options.defaultNamespace, true);
    if (options.images && options.images.length > 0) setImages(document.value, options.images.map(parseArgoImageOverride));
  }
  const parsed = parseManifestDocuments(rendered.documents);
  const problems = [...rendered.problems, ...parsed.problems];
  if (problems.length > 0) throw manifestError(problems);
  return parsed.manifests;
}

/** The documents of `dir` with kustomize transforms applied, before typed validation. */
export async function renderDocuments(reader: ManifestReader, dir: string): Promise<RenderedDocuments> {
  const root = normalizeRepoPath(dir);
  const problems: ManifestProblem[] = [];
  const kustomizationFile = await findKustomization(reader, root);
  if (kustomizationFile !== undefined) return { documents: await renderKustomization(reader, kustomizationFile, [], problems), problems };
  const files = await reader.list(root);
  if (files.length === 0) {
    problems.push({ file: root === "" ? "." : root, line: 1, field: "", message: "no such directory, or it holds no files" });
    return { documents: [], problems };
  }
  const documents = await renderPlainFiles(reader, files, problems);
  return { documents, problems };
}

/** Every YAML file in path order; a subdirectory with its own kustomization renders as one unit. */
async function renderPlainFiles(reader: ManifestReader, files: string[], problems: ManifestProblem[]): Promise<ManifestDocument[]> {
  const kustomizeRoots = files
    .filter((path) => (kustomizationFileNames as readonly string[]).includes(posix.basename(path)))
    .sort((a, b) => a.length - b.length)
    .filter((path, i, all) => !all.slice(0, i).some((outer) => isUnder(path, posix.dirname(outer))));
  const units = new Map<string, string>();
  for (const path of files) {
    const root = kustomizeRoots.find((file) => isUnder(path, posix.dirname(file)));
    if (root !== undefined) units.set(posix.dirname(root), root);
    else if (isYaml(path)) units.set(path, path);
  }
  const documents: ManifestDocument[] = [];
  for (const [unit, file] of [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (unit !== file) documents.push(...(await renderKustomization(reader, file, [], problems)));
    else documents.push(...(await readFileDocuments(reader, file, problems)));
  }
  return documents;
}

async function readFileDocuments(reader: ManifestReader, file: string, problems: ManifestProblem[]): Promise<ManifestDocument[]> {
  const text = await reader.read(file);
  if (text === undefined) {
    problems.push({ file, line: 1, field: "", message: "file not found" });
    return [];
  }
  const read = readManifestDocuments(file, text);
  problems.push(...read.problems);
  return read.documents;
}

async function findKustomization(reader: ManifestReader, dir: string): Promise<string | undefined> {
  for (const name of kustomizationFileNames) {
    const file = dir === "" ? name : `${dir}/${name}`;
    if ((await reader.read(file)) !== undefined) return file;
  }
  return undefined;
}

async function renderKustomization(reader: ManifestReader, file: string, stack: string[], problems: ManifestProblem[]): Promise<ManifestDocument[]> {
  const dir = posix.dirname(file) === "." ? "" : posix.dirname(file);
  const kustomization = parseKustomization(file, (await reader.read(file)) ?? "", problems);
  if (kustomization === undefined) return [];
  const documents: ManifestDocument[] = [];
  for (const resource of kustomization.resources) {
    if (resource.path === "") continue;
    if (/^[a-z]+:\/\/|^github\.com\//.test(resource.path)) {
      resource.report(`"${resource.path}": remote resources are not supported`);
      continue;
    }
    const target = normalizeRepoPath(posix.join(dir, resource.path));
    if (target.startsWith("..")) {
      resource.report(`"${resource.path}" points outside the repository`);
      continue;
    }
    if ((await reader.read(target)) !== undefined) {
      documents.push(...(await readFileDocuments(reader, target, problems)));
      continue;
    }
    const nested = await findKustomization(reader, target);
    if (nested === undefined) {
      const exists = (await reader.list(target)).length > 0;
      resource.report(exists ? `"${resource.path}" is a directory without a kustomization.yaml` : `"${resource.path}" not found`);
    } else if (stack.includes(nested) || nested === file) {
      resource.report(`"${resource.path}" includes itself (${[...stack, file, nested].join(" → ")})`);
    } else {
      documents.push(...(await renderKustomization(reader, nested, [...stack, file], problems)));
    }
  }
  const copies = documents.map((document) => ({ ...document, value: structuredClone(document.value) }));
  for (const document of copies) {
    setImages(document.value, kustomization.images);
    if (kustomization.namespace !== undefined) setNamespace(document.value, kustomization.namespace);
    addCommonLabels(document.value, kustomization.commonLabels);
  }
  if (kustomization.namePrefix !== undefined) addNamePrefix(copies.map((document) => document.value), kustomization.namePrefix);
  return copies;
}
