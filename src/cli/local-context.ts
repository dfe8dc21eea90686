/** Where a local command finds its repository, its data directory and its store. */

import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { gitCommonDir, repositoryTopLevel } from "../git/local-repo";
import { openStore, type Store } from "../store";

export interface LocalContext {
  repoDir: string;
  dataDir: string;
}

/** The repo is the git toplevel of `--repo` or the cwd; data lives in `.git/slipway` unless `--data`/SLIPWAY_DATA says otherwise. */
export async function localContext(options: { repo?: string; data?: string }): Promise<LocalContext> {
  const repoDir = await repositoryTopLevel(resolve(options.repo ?? process.cwd()));
  const configured = options.data ?? process.env.SLIPWAY_DATA;
  const dataDir = configured ? resolve(configured) : join(await gitCommonDir(repoDir), "slipway");
  await mkdir(dataDir, { recursive: true });
  return { repoDir, dataDir };
}

export async function openLocalStore(dataDir: string): Promise<Store> {
  return openStore({ dialect: "sqlite", path: join(dataDir, "slipway.db") });
}
