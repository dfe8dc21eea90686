/** A replica's process from its image, as Kubernetes computes it (Entrypoint/Cmd overridden by command/args, image Env under the manifest's env), mapped onto the unpacked root. */

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { SlipwayError } from "../../core/errors";
import type { ContainerSpec } from "../types";
import type { UnpackedImage } from "./image-cache";
import { resolveInRoot } from "./image-unpack";

export interface ImageProcess {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
}

async function existsInRoot(root: string, path: string): Promise<string | undefined> {
  const mapped = await resolveInRoot(root, path);
  return (await stat(mapped).catch(() => undefined)) ? mapped : undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true && (await access(path, constants.X_OK).then(() => true, () => false));
}

/** `KEY=value` lines of the image config. */
export function imageEnv(lines: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines ?? []) {
    const at = line.indexOf("=");
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** Entrypoint + Cmd, with Kubernetes' overrides: command replaces Entrypoint (and drops Cmd), args replace Cmd. */
export function imageArgv(container: Pick<ContainerSpec, "command" | "args">, config: UnpackedImage["config"]["config"]): string[] {
  const command = container.command.length > 0 ? container.command : undefined;
  if (command) return [...command, ...(container.args ?? [])];
  return [...(config?.Entrypoint ?? []), ...(container.args ?? config?.Cmd ?? [])];
}

/**
 * `env` is the replica's resolved environment (host PATH, manifest env, PORT); `manifestSetsPath` says whether
 * its PATH came from the manifest. The image's PATH directories that exist in the root come first, then the host's.
 */
export async function imageProcess(image: UnpackedImage, container: ContainerSpec, env: Record<string, string>, manifestSetsPath: boolean): Promise<ImageProcess> {
  const config = image.config.config;
  const argv = imageArgv(container, config);
  if (argv.length === 0) throw new SlipwayError("IMAGE_INVALID", `image ${image.reference} has no Entrypoint or Cmd and container ${container.name} sets no command`);
  const fromImage = imageEnv(config?.Env);
  const merged: Record<string, string> = { ...fromImage, ...env, SLIPWAY_IMAGE_ROOT: image.root };
  const imagePath: string[] = [];
  for (const dir of (fromImage.PATH ?? "").split(":").filter(Boolean)) {
    const mapped = await existsInRoot(image.root, dir);
    if (mapped) imagePath.push(mapped);
  }
  if (!manifestSetsPath) merged.PATH = [...imagePath, ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)].join(delimiter);
  const mapArg = async (arg: string): Promise<string> => (arg.startsWith("/") && arg.length > 1 ? ((await existsInRoot(image.root, arg)) ?? arg) : arg);
  let [program, ...args] = argv;
  if (program.startsWith("/")) program = await mapArg(program);
  else if (!program.includes("/")) {
    for (const dir of imagePath) {
      if (await isExecutable(join(dir, program))) {
        program = join(dir, program);
        break;
      }
    }
  }
  args = await Promise.all(args.map(mapArg));
  const workingDir = container.workingDir ?? config?.WorkingDir;
  let cwd: string | undefined;
  if (workingDir) {
    const mapped = await existsInRoot(image.root, workingDir);
    cwd = mapped ?? ((await stat(workingDir).catch(() => undefined))?.isDirectory() ? workingDir : undefined);
  }
  return { program, args, env: merged, cwd };
}
