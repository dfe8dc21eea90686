/** A replica's environment (env, envFrom, PORT) and volume files from its ConfigMaps and Secrets. */

import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { SlipwayError } from "../../core/errors";
import type { MountBinding, PortBinding } from "../replica-driver";
import type { ConfigMapSpec, ContainerSpec, KeyToPath, PodTemplate, SecretSpec } from "../types";

export interface ConfigSource {
  configMap(name: string): ConfigMapSpec | undefined;
  secret(name: string): SecretSpec | undefined;
}

export interface ResolvedContainer {
  container: ContainerSpec;
  env: Record<string, string>;
  mounts: MountBinding[];
}

type KeyValues = Map<string, Buffer>;

function entriesOf(object: ConfigMapSpec | SecretSpec): KeyValues {
  const values: KeyValues = new Map();
  for (const [key, value] of Object.entries(object.data ?? {})) values.set(key, Buffer.from(value, "utf8"));
  for (const [key, value] of Object.entries(object.binaryData ?? {})) values.set(key, Buffer.from(value, "base64"));
  return values;
}

function lookup(source: ConfigSource, kind: "ConfigMap" | "Secret", name: string, optional: boolean | undefined, usedBy: string): KeyValues | undefined {
  const object = kind === "ConfigMap" ? source.configMap(name) : source.secret(name);
  if (object) return entriesOf(object);
  if (optional) return undefined;
  throw new SlipwayError("NOT_FOUND", `${usedBy}: ${kind} "${name}" does not exist`, { hint: `Apply the ${kind} first, or mark the reference optional.` });
}

/** Expands $(NAME) from the variables defined so far; $$(NAME) stays literal, as in Kubernetes. */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && name in env ? env[name] : match;
  });
}

export function resolveEnv(container: ContainerSpec, source: ConfigSource, base: Record<string, string>, usedBy: string): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const from of container.envFrom ?? []) {
    const values = from.configMapRef
      ? lookup(source, "ConfigMap", from.configMapRef.name, from.configMapRef.optional, usedBy)
      : from.secretRef
        ? lookup(source, "Secret", from.secretRef.name, from.secretRef.optional, usedBy)
        : undefined;
    for (const [key, value] of values ?? []) env[`${from.prefix ?? ""}${key}`] = value.toString("utf8");
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined || !variable.valueFrom) {
      env[variable.name] = expandReferences(variable.value ?? "", env);
      continue;
    }
    const ref = variable.valueFrom.configMapKeyRef ?? variable.valueFrom.secretKeyRef;
    if (!ref) continue;
    const kind = variable.valueFrom.configMapKeyRef ? "ConfigMap" : "Secret";
    const values = lookup(source, kind, ref.name, ref.optional, `${usedBy} env ${variable.name}`);
    const value = values?.get(ref.key);
    if (value !== undefined) env[variable.name] = value.toString("utf8");
    else if (values && !ref.optional) throw new SlipwayError("NOT_FOUND", `${usedBy} env ${variable.name}: ${kind} "${ref.name}" has no key "${ref.key}"`);
  }
  return env;
}

function selectItems(values: KeyValues, items: KeyToPath[] | undefined, usedBy: string): [string, Buffer][] {
  if (!items) return [...values.entries()];
  return items.map((item) => {
    const value = values.get(item.key);
    if (value === undefined) throw new SlipwayError("NOT_FOUND", `${usedBy}: key "${item.key}" is missing`);
    return [item.path, value];
  });
}

/** Refuses paths that would climb out of the mount directory. */
function safeJoin(root: string, relative: string, usedBy: string): string {
  const cleaned = normalize(relative).replace(/^(\.\.(\/|$))+/, "");
  if (cleaned !== normalize(relative) || relative.startsWith("/")) throw new SlipwayError("REQUEST_INVALID", `${usedBy}: path "${relative}" leaves its volume`);
  return join(root, cleaned);
}

/**
 * Volume mounts are written under `<replicaDir>/mounts/<mountPath>`: the absolute mountPath re-rooted in a
 * per-replica directory, so replicas never share files and nothing outside the data dir is touched. The process
 * driver tells the process where through SLIPWAY_MOUNT_<VOLUME> and SLIPWAY_MOUNTS; a container driver
 * bind-mounts the same directory at the real mountPath.
 */
export async function writeVolumes(template: PodTemplate, container: ContainerSpec, source: ConfigSource, replicaDir: string, usedBy: string): Promise<MountBinding[]> {
  const mounts: MountBinding[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = (template.volumes ?? []).find((candidate) => candidate.name === mount.name);
    if (!volume) throw new SlipwayError("REQUEST_INVALID", `${usedBy}: volumeMount "${mount.name}" names no volume`);
    const hostPath = join(replicaDir, "mounts", normalize(`/${mount.mountPath}`));
    await mkdir(hostPath, { recursive: true });
    const secret = volume.secret !== undefined;
    const values = volume.configMap
      ? lookup(source, "ConfigMap", volume.configMap.name, volume.configMap.optional, `${usedBy} volume ${volume.name}`)
      : volume.secret
        ? lookup(source, "Secret", volume.secret.secretName, volume.secret.optional, `${usedBy} volume ${volume.name}`)
        : undefined;
    const items = volume.configMap?.items ?? volume.secret?.items;
    for (const [path, value] of values ? selectItems(values, items, `${usedBy} volume ${volume.name}`) : []) {
      const file = safeJoin(hostPath, path, `${usedBy} volume ${volume.name}`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, value, { mode: secret ? 0o600 : 0o644 });
      if (secret) await chmod(file, 0o600);
    }
    mounts.push({ volume: volume.name, mountPath: mount.mountPath, hostPath, readOnly: mount.readOnly ?? false });
  }
  return mounts;
}

/** The environment of one replica: host PATH, HOSTNAME, envFrom, env, then PORT and PORT_<containerPort> (the runtime's ports win). */
export async function resolveContainer(
  template: PodTemplate,
  source: ConfigSource,
  replica: { name: string; dir: string; ports: PortBinding[]; usedBy: string },
): Promise<ResolvedContainer> {
  const container = template.containers[0];
  const assigned: Record<string, string> = {};
  if (replica.ports[0]) assigned.PORT = String(replica.ports[0].hostPort);
  for (const port of replica.ports) assigned[`PORT_${port.containerPort}`] = String(port.hostPort);
  const base: Record<string, string> = { HOSTNAME: replica.name, ...assigned };
  if (process.env.PATH) base.PATH = process.env.PATH;
  // Set first so $(PORT) expands in env, command and args; set again last so a manifest's PORT cannot move the listener.
  const env = { ...resolveEnv(container, source, base, replica.usedBy), ...assigned };
  const mounts = await writeVolumes(template, container, source, replica.dir, replica.usedBy);
  const expanded: ContainerSpec = {
    ...container,
    command: container.command.map((part) => expandReferences(part, env)),
    args: container.args?.map((part) => expandReferences(part, env)),
  };
  return { container: expanded, env, mounts };
}
