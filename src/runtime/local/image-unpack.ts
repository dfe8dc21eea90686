/** Applies OCI image layers onto a root directory: files, links, OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`), never writing outside the root. */

import { createWriteStream } from "node:fs";
import { chmod, link, lstat, mkdir, readdir, readlink, rm, symlink } from "node:fs/promises";
import { join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SlipwayError } from "../../core/errors";
import { readTar } from "./image-tar";

const whiteoutPrefix = ".wh.";
const opaqueMarker = ".wh..wh..opq";

/** The path's components inside the image, without `.`, `..` climbing above `/`, or empty parts. */
export function imagePathParts(path: string): string[] {
  return posix.normalize(`/${path}`).split("/").filter((part) => part !== "" && part !== ".");
}

/**
 * Resolves an absolute path of the image onto the host under `root`, following symlinks as a chroot would
 * (absolute targets restart at the root, `..` stops at it). `followLast` = false leaves a final symlink as is.
 */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<string> {
  let parts = imagePathParts(path);
  const resolved: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const [part, ...rest] = parts;
    parts = rest;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const info = await lstat(candidate).catch(() => undefined);
    if (info?.isSymbolicLink() && (followLast || parts.length > 0)) {
      if (++hops > 40) throw new SlipwayError("IMAGE_INVALID", `too many symlinks resolving ${path} in the image`);
      const target = await readlink(candidate);
      if (target.startsWith("/")) resolved.length = 0;
      parts = [...target.split("/").filter((item) => item !== "" && item !== "."), ...parts];
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

async function removeExisting(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Applies one layer; `created` collects what this layer made so an opaque marker spares it. */
export async function applyLayer(root: string, layer: Readable): Promise<void> {
  const created = new Set<string>();
  await readTar(layer, async (entry, body) => {
    const parts = imagePathParts(entry.path);
    if (parts.length === 0) return;
    const name = parts[parts.length - 1];
    const parent = await resolveInRoot(root, `/${parts.slice(0, -1).join("/")}`);
    const parentKey = `/${parts.slice(0, -1).join("/")}`;
    if (name === opaqueMarker) {
      for (const child of await readdir(parent).catch(() => [] as string[])) {
        if (!created.has(posix.join(parentKey, child))) await removeExisting(join(parent, child));
      }
      return;
    }
    if (name.startsWith(whiteoutPrefix)) {
      await removeExisting(join(parent, name.slice(whiteoutPrefix.length)));
      return;
    }
    await mkdir(parent, { recursive: true });
    const target = join(parent, name);
    const key = posix.join(parentKey, name);
    const existing = await lstat(target).catch(() => undefined);
    if (entry.type === "directory") {
      if (existing && !existing.isDirectory()) await removeExisting(target);
      await mkdir(target, { recursive: true });
      // Owner keeps rwx so later layers (and cache cleanup) can write and remove below it.
      await chmod(target, (entry.mode & 0o1777) | 0o700);
      created.add(key);
      return;
    }
    if (existing) await removeExisting(target);
    if (entry.type === "file") {
      await pipeline(body, createWriteStream(target, { mode: (entry.mode & 0o1777) | 0o400 }));
      await chmod(target, (entry.mode & 0o1777) | 0o400);
    } else if (entry.type === "symlink") {
      await symlink(entry.linkTarget, target);
    } else if (entry.type === "hardlink") {
      const source = await resolveInRoot(root, `/${entry.linkTarget}`, false);
      await link(source, target).catch((error: unknown) => {
        throw new SlipwayError("IMAGE_INVALID", `layer entry ${entry.path}: hard link to ${entry.linkTarget} failed (${String(error)})`);
      });
    } else return; // devices and fifos cannot be made without privileges and are never needed by an app
    created.add(key);
  });
}

