/** The new image's config: base config plus our layers, runtime settings and the OCI annotations as labels. */

import type { ContainerConfig, ImageConfig } from "../media-types";

export interface RuntimeSettings {
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  workingDir: string;
  exposedPorts?: string[];
  user?: string;
  labels: Record<string, string>;
}

export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** `KEY=value` list with later keys replacing earlier ones, in first-seen order. */
export function mergeEnv(base: string[] | undefined, added: Record<string, string>): string[] {
  const values = new Map<string, string>();
  for (const line of base ?? []) {
    const at = line.indexOf("=");
    values.set(at < 0 ? line : line.slice(0, at), at < 0 ? "" : line.slice(at + 1));
  }
  for (const [key, value] of Object.entries(added)) values.set(key, value);
  if (!values.has("PATH")) values.set("PATH", defaultPath);
  return [...values].map(([key, value]) => `${key}=${value}`);
}

function portKey(port: string): string {
  return port.includes("/") ? port : `${port}/tcp`;
}

export function buildImageConfig(base: ImageConfig, diffIds: string[], settings: RuntimeSettings, created: string, history: string[]): ImageConfig {
  const previous: ContainerConfig = base.config ?? {};
  const exposed = { ...(previous.ExposedPorts ?? {}) };
  for (const port of settings.exposedPorts ?? []) exposed[portKey(port)] = {};
  const container: ContainerConfig = {
    ...previous,
    Env: mergeEnv(previous.Env, settings.env ?? {}),
    WorkingDir: settings.workingDir,
    Labels: { ...(previous.Labels ?? {}), ...settings.labels },
  };
  if (Object.keys(exposed).length > 0) container.ExposedPorts = exposed;
  if (settings.entrypoint) container.Entrypoint = settings.entrypoint;
  if (settings.cmd) container.Cmd = settings.cmd;
  if (settings.user !== undefined) container.User = settings.user;
  return {
    created,
    architecture: base.architecture,
    os: base.os,
    ...(base.variant ? { variant: base.variant } : {}),
    config: container,
    rootfs: { type: "layers", diff_ids: [...base.rootfs.diff_ids, ...diffIds] },
    history: [...(base.history ?? []), ...history.map((createdBy) => ({ created, created_by: createdBy }))],
  };
}
