/** Walks a directory into sorted tar entries under a prefix, with normalised (builder) or preserved (import) modes. */

import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { TarEntry } from "./tar-writer";

export interface FileTreeOptions {
  /** Directory inside the image the files go to (`app` for `/app`), "" for the root. */
  prefix: string;
  mtime: number;
  /** Include a path (relative, `/`-separated)? Directories that are excluded are not descended into. */
  include?(path: string, isDirectory: boolean): boolean;
  /** Keep the files' own permission bits (root filesystems) instead of 0644/0755. */
  preserveModes?: boolean;
}

function normalisedMode(mode: number, type: TarEntry["type"]): number {
  if (type === "directory") return 0o755;
  if (type === "symlink") return 0o777;
  return mode & 0o111 ? 0o755 : 0o644;
}

/** Parent directory entries of the prefix (`app` → [`app`]), so the layer creates them with fixed modes. */
export function prefixDirectories(prefix: string, mtime: number): TarEntry[] {
  const parts = prefix.split("/").filter(Boolean);
  return parts.map((_, i) => ({ path: parts.slice(0, i + 1).join("/"), type: "directory" as const, mode: 0o755, mtime }));
}

export async function collectFileTree(root: string, options: FileTreeOptions): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const inImage = (relative: string): string => [options.prefix, relative].filter(Boolean).join("/");
  const walk = async (dir: string, relativeDir: string): Promise<void> => {
    const names = (await readdir(dir)).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1));
    for (const name of names) {
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      const full = join(dir, name);
      const info = await lstat(full);
      const type: TarEntry["type"] | undefined = info.isDirectory() ? "directory" : info.isSymbolicLink() ? "symlink" : info.isFile() ? "file" : undefined;
      if (!type || (options.include && !options.include(relative, type === "directory"))) continue;
      const mode = options.preserveModes ? info.mode & 0o7777 : normalisedMode(info.mode, type);
      if (type === "directory") {
        entries.push({ path: inImage(relative), type, mode, mtime: options.mtime });
        await walk(full, relative);
      } else if (type === "symlink") {
        entries.push({ path: inImage(relative), type, mode, mtime: options.mtime, linkTarget: await readlink(full) });
      } else {
        entries.push({ path: inImage(relative), type, mode, mtime: options.mtime, size: info.size, sourcePath: full });
      }
    }
  };
  await walk(root, "");
  return entries;
}
