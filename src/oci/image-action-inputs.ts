/** Shared input handling of the `slipway/build-image` and `slipway/push-image` actions: store, tags, lists. */

import { isAbsolute, join } from "node:path";
import { isJsonObject } from "../core/json";
import type { BuiltinActionContext } from "../workflow/actions/action-request";
import { releaseTags } from "./builder/image-tags";

/** The run's image store: `<data dir>/oci`, the same one `slipway image` uses with `--data`. */
export function actionStoreDir(context: BuiltinActionContext): string {
  return join(context.request.execution.options.dataDir, "oci");
}

export function workspacePath(context: BuiltinActionContext, path: string): string {
  return isAbsolute(path) ? path : join(context.request.execution.dirs.workspace, path);
}

/** Newline- or comma-separated values, trimmed, without empties. */
export function inputList(text: string | undefined): string[] {
  return (text ?? "").split(/[\n,]/).map((value) => value.trim()).filter(Boolean);
}

export function commitShaOf(context: BuiltinActionContext, given: string | undefined): string | undefined {
  if (given) return given;
  const github = context.request.contexts.github;
  return isJsonObject(github) && typeof github.sha === "string" ? github.sha : undefined;
}

/** `tags` if given, else `v<version>` + `sha-<7>` (or only `sha-<7>` without a version). */
export function imageTags(context: BuiltinActionContext): string[] {
  const explicit = inputList(context.inputs.tags);
  if (explicit.length > 0) return explicit;
  const sha = commitShaOf(context, context.inputs.sha);
  const version = context.inputs.version?.trim();
  if (version && sha) return releaseTags(version, sha);
  if (sha) return [`sha-${sha.slice(0, 7)}`];
  if (version) return [`v${version.replace(/^v/, "")}`];
  throw new Error("no tag: give `tags`, or `version` and/or `sha` (github.sha is used when present)");
}

export function parseKeyValues(text: string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of (text ?? "").split("\n").map((entry) => entry.trim()).filter(Boolean)) {
    const at = line.indexOf("=");
    if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}
