/** `actions/cache` (and its restore/save halves): directories saved by key in slipway's data dir, restored by key or prefix. */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { promisify } from "node:util";
import type { ActionResult, BuiltinAction, BuiltinActionContext } from "../action-request";

const run = promisify(execFile);

function cacheDir(context: BuiltinActionContext): string {
  return join(context.request.execution.options.dataDir, "cache");
}

function archiveName(key: string): string {
  return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.tar`;
}

function cachePaths(context: BuiltinActionContext): string[] {
  const workspace = context.request.execution.dirs.workspace;
  return (context.inputs.path ?? "")
    .split("\n")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => (p.startsWith("~") ? join(homedir(), p.slice(1)) : isAbsolute(p) ? p : join(workspace, p)));
}

/** Keys are stored in an index file name-per-key so prefix matching (restore-keys) can list them newest first. */
async function findArchive(dir: string, primary: string, prefixes: string[]): Promise<{ key: string; file: string } | undefined> {
  const exact = join(dir, archiveName(primary));
  if (await exists(exact)) return { key: primary, file: exact };
  const entries = await readdir(join(dir, "keys")).catch(() => [] as string[]);
  const keyed = await Promise.all(
    entries.map(async (name) => ({ key: decodeURIComponent(name), mtime: (await stat(join(dir, "keys", name))).mtimeMs })),
  );
  keyed.sort((a, b) => b.mtime - a.mtime);
  for (const prefix of prefixes) {
    const found = keyed.find((k) => k.key.startsWith(prefix));
    if (found) return { key: found.key, file: join(dir, archiveName(found.key)) };
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function restore(context: BuiltinActionContext): Promise<{ hit: boolean; matched?: string }> {
  const key = context.inputs.key ?? "";
  const prefixes = (context.inputs["restore-keys"] ?? "").split("\n").map((k) => k.trim()).filter(Boolean);
  const found = await findArchive(cacheDir(context), key, prefixes);
  if (!found) {
    await context.log(`Cache not found for input keys: ${[key, ...prefixes].join(", ")}`);
    return { hit: false };
  }
  // Paths inside the workspace are stored relative to it: a later run restores them into its own workspace.
  await run("tar", ["-xPf", found.file, "-C", context.request.execution.dirs.workspace]);
  await context.log(`Cache restored from key: ${found.key}`);
  return { hit: found.key === key, matched: found.key };
}

async function save(context: BuiltinActionContext, key: string): Promise<boolean> {
  const dir = cacheDir(context);
  const paths = [];
  for (const p of cachePaths(context)) if (await exists(p)) paths.push(p);
  if (paths.length === 0) {
    await context.log("##[warning]Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.");
    return true;
  }
  if (await exists(join(dir, archiveName(key)))) {
    await context.log(`Cache hit occurred on the primary key ${key}, not saving cache.`);
    return true;
  }
  await mkdir(join(dir, "keys"), { recursive: true });
  const temp = join(dir, `${archiveName(key)}.${process.pid}.tmp`);
  const workspace = context.request.execution.dirs.workspace;
  const members = paths.map((p) => (p === workspace ? "." : p.startsWith(`${workspace}/`) ? relative(workspace, p) : p));
  await run("tar", ["-cPf", temp, "-C", workspace, ...members]);
  await rename(temp, join(dir, archiveName(key)));
  await run("touch", [join(dir, "keys", encodeURIComponent(key))]);
  await context.log(`Cache saved with key: ${key}`);
  return true;
}

const cacheInputs = {
  path: { required: true, description: "Files and directories to cache, one per line." },
  key: { required: true, description: "The key to save and restore under." },
  "restore-keys": { default: "", description: "Key prefixes to fall back to, in order." },
  "fail-on-cache-miss": { default: "false" },
  "lookup-only": { default: "false" },
};

export const cacheAction: BuiltinAction = {
  name: "cache",
  description: "Restore a cache by key or prefix, and save it at the end of the job when the key missed.",
  inputs: cacheInputs,
  async run(context): Promise<ActionResult> {
    const { hit, matched } = await restore(context);
    if (!hit && context.inputs["fail-on-cache-miss"] === "true") return { outcome: "failure", outputs: { "cache-hit": "false" } };
    if (!hit) {
      const key = context.inputs.key ?? "";
      context.addPost({
        name: `Post ${context.request.logStep.name}`,
        condition: "success()",
        // The save logs under the post step, not the step that restored.
        run: (execution, step) => save({ ...context, log: (line) => execution.log(step.number, line) }, key),
      });
    }
    return { outcome: "success", outputs: { "cache-hit": String(hit), "cache-primary-key": context.inputs.key ?? "", "cache-matched-key": matched ?? "" } };
  },
};

export const cacheRestoreAction: BuiltinAction = {
  name: "cache-restore",
  description: "Restore a cache by key or prefix.",
  inputs: cacheInputs,
  async run(context): Promise<ActionResult> {
    const { hit, matched } = await restore(context);
    if (!hit && context.inputs["fail-on-cache-miss"] === "true") return { outcome: "failure", outputs: { "cache-hit": "false" } };
    return { outcome: "success", outputs: { "cache-hit": String(hit), "cache-primary-key": context.inputs.key ?? "", "cache-matched-key": matched ?? "" } };
  },
};

export const cacheSaveAction: BuiltinAction = {
  name: "cache-save",
  description: "Save paths under a key.",
  inputs: { path: cacheInputs.path, key: cacheInputs.key },
  async run(context): Promise<ActionResult> {
    return { outcome: (await save(context, context.inputs.key ?? "")) ? "success" : "failure", outputs: {} };
  },
};
