/** `actions/upload-artifact` / `download-artifact`: files passed between the jobs of a run, stored in slipway's data dir. */

import { cp, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { matchPatternList } from "../../triggers/filter-pattern";
import type { ActionResult, BuiltinAction, BuiltinActionContext } from "../action-request";

function artifactsRoot(context: BuiltinActionContext): string {
  const { options } = context.request.execution;
  return join(options.dataDir, "artifacts", String(options.runId));
}

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== ".git") await walk(full, out);
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Absolute files matched by the `path` input: files, directories (recursively) and glob patterns. */
async function matchFiles(workspace: string, spec: string): Promise<string[]> {
  const lines = spec.split("\n").map((l) => l.trim()).filter(Boolean);
  const literal = lines.filter((l) => !l.startsWith("!") && !/[*?[]/.test(l));
  const patterns = lines.filter((l) => !literal.includes(l)).map((l) => l.replace(/^(!?)\.\//, "$1"));
  const files = new Set<string>();
  for (const line of literal) {
    const full = isAbsolute(line) ? line : join(workspace, line);
    const info = await stat(full).catch(() => undefined);
    if (info?.isDirectory()) for (const f of await walk(full)) files.add(f);
    else if (info?.isFile()) files.add(full);
  }
  if (patterns.some((p) => !p.startsWith("!"))) {
    for (const f of await walk(workspace)) if (matchPatternList(relative(workspace, f), patterns)) files.add(f);
  }
  const negations = patterns.filter((p) => p.startsWith("!"));
  return [...files].filter((f) => negations.length === 0 || matchPatternList(relative(workspace, f), ["**", ...negations])).sort();
}

function commonRoot(files: string[]): string {
  const dirs = files.map((f) => dirname(f).split(sep));
  const first = dirs[0] ?? [];
  let length = first.length;
  for (const parts of dirs) {
    let i = 0;
    while (i < length && parts[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join(sep) || sep;
}

export const uploadArtifactAction: BuiltinAction = {
  name: "upload-artifact",
  description: "Store files as a named artifact of the run.",
  inputs: {
    name: { default: "artifact" },
    path: { required: true },
    "if-no-files-found": { default: "warn" },
    "retention-days": { default: "0" },
    overwrite: { default: "false" },
    "include-hidden-files": { default: "false" },
  },
  async run(context): Promise<ActionResult> {
    const { inputs } = context;
    const workspace = context.request.execution.dirs.workspace;
    const name = inputs.name || "artifact";
    if (/[":<>|*?\\/\r\n]/.test(name)) {
      await context.log(`##[error]The artifact name '${name}' contains a character that is not allowed: " : < > | * ? \\ / CR LF`);
      return { outcome: "failure", outputs: {} };
    }
    let files = await matchFiles(workspace, inputs.path ?? "");
    if (inputs["include-hidden-files"] !== "true") files = files.filter((f) => !relative(workspace, f).split(sep).some((p) => p.startsWith(".")));
    if (files.length === 0) {
      const mode = inputs["if-no-files-found"];
      const message = `No files were found with the provided path: ${inputs.path}. No artifacts will be uploaded.`;
      if (mode === "error") {
        await context.log(`##[error]${message}`);
        return { outcome: "failure", outputs: {} };
      }
      await context.log(mode === "ignore" ? message : `##[warning]${message}`);
      return { outcome: "success", outputs: {} };
    }
    const target = join(artifactsRoot(context), name);
    const present = await stat(target).then(() => true, () => false);
    if (present && inputs.overwrite !== "true") {
      await context.log(`##[error]An artifact with the name '${name}' already exists in this run; set overwrite: true to replace it.`);
      return { outcome: "failure", outputs: {} };
    }
    await rm(target, { recursive: true, force: true });
    const root = commonRoot(files);
    for (const file of files) {
      const destination = join(target, relative(root, file));
      await mkdir(dirname(destination), { recursive: true });
      await cp(file, destination);
    }
    await context.log(`Artifact '${name}' stored with ${files.length} file(s).`);
    return { outcome: "success", outputs: { "artifact-id": name, "artifact-url": "" } };
  },
};

export const downloadArtifactAction: BuiltinAction = {
  name: "download-artifact",
  description: "Fetch artifacts stored earlier in the same run.",
  inputs: { name: { default: "" }, path: { default: "" }, pattern: { default: "" }, "merge-multiple": { default: "false" } },
  async run(context): Promise<ActionResult> {
    const { inputs } = context;
    const workspace = context.request.execution.dirs.workspace;
    const destination = inputs.path ? (isAbsolute(inputs.path) ? inputs.path : join(workspace, inputs.path)) : workspace;
    const root = artifactsRoot(context);
    if (inputs.name) {
      const source = join(root, inputs.name);
      if (!(await stat(source).then(() => true, () => false))) {
        await context.log(`##[error]Unable to download artifact(s): Artifact not found for name: ${inputs.name}`);
        return { outcome: "failure", outputs: {} };
      }
      await cp(source, destination, { recursive: true });
      await context.log(`Artifact '${inputs.name}' downloaded to ${destination}`);
      return { outcome: "success", outputs: { "download-path": destination } };
    }
    const names = (await readdir(root).catch(() => [] as string[])).filter((n) => !inputs.pattern || matchPatternList(n, [inputs.pattern]));
    for (const name of names) {
      await cp(join(root, name), inputs["merge-multiple"] === "true" ? destination : join(destination, name), { recursive: true });
    }
    await context.log(`Downloaded ${names.length} artifact(s) to ${destination}`);
    return { outcome: "success", outputs: { "download-path": destination } };
  },
};
