/** A real git repository in a temp directory for tests, driven through the `git` CLI. */

import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Fixed identity and no user/system config, so tests behave the same on every machine. */
const gitEnvironment: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Mona Lisa",
  GIT_AUTHOR_EMAIL: "mona@example.com",
  GIT_COMMITTER_NAME: "Mona Lisa",
  GIT_COMMITTER_EMAIL: "mona@example.com",
};

export class GitRepo {
  private constructor(
    /** The working copy. */
    readonly dir: string,
    /** The temp directory that holds the working copy and anything else the test puts there. */
    readonly root: string,
  ) {}

  /** `git init` with `main` as the initial branch, inside a fresh temp directory. */
  static async create(prefix = "slipway-repo-"): Promise<GitRepo> {
    const root = await mkdtemp(join(tmpdir(), prefix));
    const dir = join(root, "repo");
    await mkdir(dir);
    const repo = new GitRepo(dir, root);
    await repo.git("init", "--quiet", "--initial-branch=main");
    await repo.git("config", "user.name", "Mona Lisa");
    await repo.git("config", "user.email", "mona@example.com");
    await repo.git("config", "commit.gpgsign", "false");
    await repo.git("config", "tag.gpgsign", "false");
    return repo;
  }

  async git(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run("git", args, { cwd: this.dir, env: gitEnvironment, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(`git ${args.join(" ")} failed in ${this.dir}: ${stderr.trim() || String(error)}`);
    }
  }

  /** Writes files (repo-relative path → content), creating folders as needed. */
  async writeFiles(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }

  /** Copies a directory's content into the working copy; `skip` names top-level entries to leave out. */
  async copyFrom(source: string, skip: readonly string[] = []): Promise<void> {
    await cp(source, this.dir, { recursive: true, filter: (path) => !skip.some((name) => path === join(source, name)) });
  }

  /** Stages everything and commits; returns the new commit's SHA. */
  async commitAll(message: string): Promise<string> {
    await this.git("add", "--all");
    await this.git("commit", "--quiet", "--allow-empty", "-m", message);
    return this.sha("HEAD");
  }

  async sha(rev: string): Promise<string> {
    return (await this.git("rev-parse", "--verify", `${rev}^{commit}`)).trim();
  }

  /** Creates a branch at `at` (default HEAD) without switching to it. */
  async branch(name: string, at = "HEAD"): Promise<void> {
    await this.git("branch", "--force", name, at);
  }

  /** Switches the working copy to a branch, creating it at HEAD when it does not exist. */
  async switchTo(name: string): Promise<void> {
    const exists = await this.git("branch", "--list", name);
    await this.git(...(exists.trim() ? ["switch", "--quiet", name] : ["switch", "--quiet", "-c", name]));
  }

  /** A lightweight tag at `at` (default HEAD). */
  async tag(name: string, at = "HEAD"): Promise<void> {
    await this.git("tag", "--force", name, at);
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
