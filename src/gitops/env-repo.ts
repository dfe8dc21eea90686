/**
 * The environment repository's layout, and how to find things in it:
 *
 *   apps/*.yaml                 Argo CD Applications (one or more per file); spec.source.path names a directory below
 *   envs/<env>/<service>/       one service in one environment: plain manifests, or a kustomization (overlay)
 *   base/<service>/             optional shared manifests an overlay lists under `resources:`
 *
 * Promotion rewrites the image in `envs/<env>/<service>/` only — never in `base/`, which every environment shares.
 */

import { posix } from "node:path";
import { SlipwayError } from "../core/errors";
import type { ApplicationManifest, Manifest } from "./manifests/model";
import { manifestError, type ManifestProblem } from "./manifests/problems";
import { parseManifestText } from "./manifests/parse-manifests";
import { kustomizationFileNames } from "./render/kustomization";
import { normalizeRepoPath, type ManifestReader } from "./render/manifest-reader";
import { renderEnvironment } from "./render/render-environment";
import { holdsImage } from "./write-back";

export const appsDirectory = "apps";
export const envsDirectory = "envs";

export function serviceDirectory(env: string, service: string): string {
  return `${envsDirectory}/${env}/${service}`;
}

/** `envs/dev/web` → { env: "dev", service: "web" }; undefined for a path outside the layout. */
export function parseServiceDirectory(path: string): { env: string; service: string } | undefined {
  const match = /^envs\/([^/]+)\/([^/]+)$/.exec(normalizeRepoPath(path));
  return match ? { env: match[1], service: match[2] } : undefined;
}

/** Every Application under apps/, validated; anything else there is a problem. */
export async function listApplications(reader: ManifestReader): Promise<ApplicationManifest[]> {
  const files = (await reader.list(appsDirectory)).filter((path) => posix.dirname(path) === appsDirectory && /\.ya?ml$/.test(path));
  const applications: ApplicationManifest[] = [];
  const problems: ManifestProblem[] = [];
  for (const file of files) {
    const parsed = parseManifestText(file, (await reader.read(file)) ?? "");
    problems.push(...parsed.problems);
    for (const manifest of parsed.manifests) {
      if (manifest.kind === "Application") applications.push(manifest);
      else problems.push({ file, line: manifest.source.line, field: "kind", message: `${manifest.kind} does not belong in apps/: only Applications do` });
    }
  }
  const seen = new Map<string, ApplicationManifest>();
  for (const application of applications) {
    const earlier = seen.get(application.metadata.name);
    if (earlier) problems.push({ ...application.source, field: "metadata.name", message: `"${application.metadata.name}" is already an Application at ${earlier.source.file}:${earlier.source.line}` });
    seen.set(application.metadata.name, application);
  }
  if (problems.length > 0) throw manifestError(problems);
  return applications;
}

/** The environments: directories under envs/. */
export async function listEnvironments(reader: ManifestReader): Promise<string[]> {
  return [...new Set((await reader.list(envsDirectory)).map((path) => path.split("/")[1]).filter((env) => env !== undefined))].sort();
}

/** The services deployed to one environment: directories under envs/<env>/. */
export async function listServices(reader: ManifestReader, env: string): Promise<string[]> {
  const files = await reader.list(`${envsDirectory}/${env}`);
  return [...new Set(files.map((path) => path.split("/")[2]).filter((service): service is string => service !== undefined && files.some((f) => f.startsWith(`${envsDirectory}/${env}/${service}/`))))].sort();
}

/** The Application whose source path is the service's directory in that environment. */
export function findApplication(applications: ApplicationManifest[], service: string, env: string): ApplicationManifest | undefined {
  const dir = serviceDirectory(env, service);
  return applications.find((application) => normalizeRepoPath(application.spec.source.path) === dir);
}

/** The rendered manifests of (service, env), with the Application's namespace and image overrides when there is one. */
export async function serviceManifests(reader: ManifestReader, service: string, env: string, application?: ApplicationManifest): Promise<Manifest[]> {
  return renderEnvironment(reader, serviceDirectory(env, service), {
    defaultNamespace: application?.spec.destination.namespace ?? env,
    images: application?.spec.source.kustomize?.images,
  });
}

/**
 * The files promotion rewrites for a service's image in one environment: the overlay's kustomization when its
 * `images:` names the image (it overrides everything below), else every manifest in the service directory that does.
 */
export async function findImageFiles(reader: ManifestReader, service: string, env: string, imageName: string): Promise<string[]> {
  const dir = serviceDirectory(env, service);
  const files = (await reader.list(dir)).filter((path) => /\.ya?ml$/.test(path) || posix.basename(path) === "Kustomization");
  if (files.length === 0) throw new SlipwayError("NOT_FOUND", `${dir} does not exist in the environment repo`, { hint: "The layout is envs/<env>/<service>/." });
  const kustomization = kustomizationFileNames.map((name) => `${dir}/${name}`).find((path) => files.includes(path));
  const holding: string[] = [];
  for (const file of files) {
    const text = (await reader.read(file)) ?? "";
    if (holdsImage(file, text, imageName)) holding.push(file);
  }
  if (kustomization !== undefined && holding.includes(kustomization)) return [kustomization];
  if (holding.length > 0) return holding;
  const hint = kustomization !== undefined
    ? `Add an images: entry for ${imageName} to ${kustomization}, so promotion changes ${env} only and not a shared base.`
    : `Name the image in a container of a manifest under ${dir}/.`;
  throw new SlipwayError("NOT_FOUND", `no manifest under ${dir} holds the image ${imageName}`, { hint });
}
