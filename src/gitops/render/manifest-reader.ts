/** Where render reads files from: a git revision, a directory on disk or memory, behind one small interface. */

import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";

export interface ManifestReader {
  /** The text of a repository-relative file, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Repository-relative paths of every file under `dir` (recursively); empty when there is no such directory. */
  list(dir: string): Promise<string[]>;
}

/** `./envs//dev/` → `envs/dev`; the repository root is "". */
export function normalizeRepoPath(path: string): string {
  const normalized = posix.normalize(path.replace(/\\/g, "/")).replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  return normalized === "." ? "" : normalized;
}

export function isUnder(path: string, dir: string): boolean {
  return dir === "" || path.startsWith(`${dir}/`);
}

export function memoryReader(files: Record<string, string>): ManifestReader {
  const entries = new Map(Object.entries(files).map(([path, text]) => [normalizeRepoPath(path), text]));
  return {
    read: async (path) => entries.get(normalizeRepoPath(path)),
    list: async (dir) => {
      const root = normalizeRepoPath(dir);
      return [...entries.keys()].filter((path) => isUnder(path, root)).sort();
    },
  };
}

/** A working tree on disk; paths stay repository-relative. */
export function directoryReader(root: string): ManifestReader {
  return {
    read: async (path) => {
      try {
        return await readFile(join(root, normalizeRepoPath(path)), "utf8");
      } catch {
        return undefined;
      }
    },
    list: async (dir) => {
      const base = normalizeRepoPath(dir);
      try {
        const found = await readdir(join(root, base), { recursive: true, withFileTypes: true });
        return found
          .filter((entry) => entry.isFile())
          .map((entry) => normalizeRepoPath(posix.join(base, posix.relative(join(root, base), join(entry.parentPath, entry.name)).replace(/\\/g, "/"))))
          .filter((path) => !path.split("/").includes(".git"))
          .sort();
      } catch {
        return [];
      }
    },
  };
}
