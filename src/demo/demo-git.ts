/** The demo's git working copies: real clones of the hosted repositories, committed to as a named person and pushed over HTTP with a token. */

import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { git, gitFreeEnvironment } from "../git/git-cli";

export interface GitPerson {
  name: string;
  email: string;
}

/** The clone URL of `repo` with `token` as the Basic password. */
export function authenticatedUrl(serverUrl: string, repo: string, token: string): string {
  const url = new URL(`${serverUrl.replace(/\/+$/, "")}/git/${repo}.git`);
  url.username = "token";
  url.password = token;
  return url.toString();
}

/** Git without the user's global or system configuration (no signing, hooks or templates of theirs), as `person`. */
function personEnvironment(person: GitPerson): NodeJS.ProcessEnv {
  return {
    ...gitFreeEnvironment(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: person.name,
    GIT_AUTHOR_EMAIL: person.email,
    GIT_COMMITTER_NAME: person.name,
    GIT_COMMITTER_EMAIL: person.email,
  };
}

export class DemoWorkingCopy {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A clone of `remote` in `dir` (cloned once; an existing clone is fetched), on its default branch. */
  static async open(dir: string, remote: string, person: GitPerson): Promise<DemoWorkingCopy> {
    const copy = new DemoWorkingCopy(dir, personEnvironment(person));
    if (!existsSync(join(dir, ".git"))) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dirname(dir), { recursive: true });
      await git(["clone", "--quiet", remote, dir], dirname(dir), { env: copy.env });
    } else {
      await copy.git("remote", "set-url", "origin", remote);
      await copy.git("fetch", "--quiet", "--prune", "--tags", "origin");
    }
    return copy;
  }

  git(...args: string[]): Promise<string> {
    return git(args, this.dir, { env: this.env });
  }

  async head(): Promise<string> {
    return (await this.git("rev-parse", "HEAD")).trim();
  }

  /** Whether the remote has `branch`. */
  async remoteHas(branch: string): Promise<boolean> {
    return (await this.git("ls-remote", "--heads", "origin", branch)).trim() !== "";
  }

  /** Starts `branch` from origin's `base` (discarding local changes). */
  async branchFrom(branch: string, base: string): Promise<void> {
    await this.git("fetch", "--quiet", "origin", base);
    await this.git("checkout", "--quiet", "-B", branch, `origin/${base}`);
  }

  /** Writes files (null deletes), commits them all and returns the commit. */
  async commit(message: string, files: Record<string, string | null> = {}): Promise<string> {
    for (const [path, text] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (text === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, text);
      }
    }
    await this.git("add", "--all");
    await this.git("commit", "--quiet", "--no-verify", "-m", message);
    return this.head();
  }

  /** Copies `paths` (files or directories, relative to `source`) into the working copy and commits them. */
  async commitFrom(source: string, paths: string[], message: string, transform?: (path: string, text: string) => string): Promise<string> {
    for (const path of paths) {
      await cp(join(source, path), join(this.dir, path), { recursive: true });
      if (transform) await transformTree(join(this.dir, path), this.dir, transform);
    }
    return this.commit(message);
  }

  async push(refspec: string): Promise<void> {
    await this.git("push", "--quiet", "origin", refspec);
  }
}

async function transformTree(path: string, root: string, transform: (path: string, text: string) => string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => undefined);
  if (!entries) {
    const text = await readFile(path, "utf8");
    const changed = transform(relative(root, path), text);
    if (changed !== text) await writeFile(path, changed);
    return;
  }
  for (const entry of entries) await transformTree(join(path, entry.name), root, transform);
}
