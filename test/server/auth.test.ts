/**
 * Authentication and authorization with real clients: a missing or wrong token gets 401 (with
 * WWW-Authenticate) from git and the API and writes nothing; a viewer clones but cannot push; a public
 * repo clones anonymously; one server per data directory; the admin token is private (0600).
 */

import { get as httpGet } from "node:http";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushRecord } from "../../src/store";
import { assertBuilt, slipway } from "../support/cli";
import { startServer } from "../../src/server/up";
import { startCliServer } from "./support/cli-server";
import { runGit, startTestServer, type TestServer, type WorkingCopy } from "../support/server";

const privateRepo = "admin/private";
const publicRepo = "admin/open";
let t: TestServer;
let admin: WorkingCopy;
let viewerToken: string;
let mainSha: string;

const infoRefs = (repo: string, service: string, authorization?: string): Promise<Response> =>
  fetch(`${t.url}/git/${repo}.git/info/refs?service=${service}`, { headers: authorization ? { authorization } : {} });
const basic = (token: string): string => `Basic ${Buffer.from(`token:${token}`).toString("base64")}`;
const remoteRefs = async (repo: string): Promise<string> => (await runGit(["ls-remote", t.gitUrl(repo, t.admin.token)], t.root, t.home)).stdout;
const pushesOf = async (repo: string): Promise<PushRecord[]> => (await t.admin.api<PushRecord[]>("GET", `/repos/${repo}/pushes`)).body;

beforeAll(async () => {
  t = await startTestServer();
  expect((await t.admin.api("POST", "/repos", { name: privateRepo })).status).toBe(201);
  expect((await t.admin.api("POST", "/repos", { name: publicRepo, public: true })).status).toBe(201);
  admin = await t.workingCopy(privateRepo, t.admin.token, "admin");
  mainSha = await admin.commit("feat: base", { "README.md": "hello\n" });
  await admin.ok("push", "-q", "origin", "main");
  await admin.ok("push", "-q", t.gitUrl(publicRepo, t.admin.token), "main");
  expect((await t.admin.api("POST", "/users", { name: "vera" })).status).toBe(201);
  viewerToken = (await t.admin.api<{ token: string }>("POST", "/users/vera/tokens", { name: "test" })).body.token;
  expect((await t.admin.api("PUT", `/repos/${privateRepo}/members/vera`, { role: "viewer" })).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

describe("a missing or wrong token", () => {
  it("gets 401 with WWW-Authenticate from git's smart HTTP, for fetch and push", async () => {
    for (const service of ["git-upload-pack", "git-receive-pack"]) {
      for (const authorization of [undefined, basic("wrong-token"), "Bearer wrong-token"]) {
        const response = await infoRefs(privateRepo, service, authorization);
        expect(response.status, `${service} ${authorization ?? "anonymous"}`).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Basic realm="slipway"');
      }
    }
    // A missing repository looks the same as a private one to an anonymous caller.
    const missing = await infoRefs("admin/does-not-exist", "git-upload-pack");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Basic realm="slipway"');
    expect((await infoRefs("admin/does-not-exist", "git-upload-pack", basic(t.admin.token))).status).toBe(404);
    const post = await fetch(`${t.url}/git/${privateRepo}.git/git-receive-pack`, {
      method: "POST",
      headers: { authorization: basic("wrong-token"), "content-type": "application/x-git-receive-pack-request" },
      body: "0000",
    });
    expect(post.status).toBe(401);
  });

  it("fails git clone and git push with the real client, and nothing is written", async () => {
    const before = await remoteRefs(privateRepo);
    for (const token of [null, "wrong-token"]) {
      const clone = await runGit(["clone", t.gitUrl(privateRepo, token), `clone-${token ?? "anon"}`], t.root, t.home);
      expect(clone.code).not.toBe(0);
      expect(clone.stderr).toMatch(/Authentication failed|could not read Username|401/);

      await admin.commit(`feat: attempt with ${token ?? "no token"}`);
      const push = await admin.git("push", t.gitUrl(privateRepo, token), "HEAD:refs/heads/main");
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/Authentication failed|could not read Username|401/);
      const pushNew = await admin.git("push", t.gitUrl(privateRepo, token), "HEAD:refs/heads/sneaky");
      expect(pushNew.code).not.toBe(0);
    }
    expect(await remoteRefs(privateRepo)).toBe(before);
    expect((await pushesOf(privateRepo)).map((p) => p.after)).toEqual([mainSha]);
    expect(await readdir(join(t.dataDir, "spool", "pushes")).catch(() => [])).toEqual([]);
  });

  it("gets 401 with WWW-Authenticate from the API, and nothing is created", async () => {
    for (const token of [null, "wrong-token"]) {
      const api = t.apiWith(token);
      const create = await api<{ error: { code: string } }>("POST", "/repos", { name: "admin/intruder" });
      expect(create.status).toBe(401);
      expect(create.headers.get("www-authenticate")).toBe('Basic realm="slipway"');
      expect(create.body.error.code).toBe("UNAUTHENTICATED");
      expect((await api("GET", "/user")).status).toBe(401);
      expect((await api("GET", `/repos/${privateRepo}`)).status).toBe(401);
      expect((await api("POST", "/users", { name: "mallory" })).status).toBe(401);
    }
    // A wrong token is never downgraded to anonymous access, not even for public data.
    expect((await t.apiWith("wrong-token")("GET", `/repos/${publicRepo}`)).status).toBe(401);
    const names = (await t.admin.api<{ name: string }[]>("GET", "/repos")).body.map((r) => r.name).sort();
    expect(names).toEqual([publicRepo, privateRepo].sort());
    expect((await t.admin.api<{ name: string }[]>("GET", "/users")).body.map((u) => u.name).sort()).toEqual(["admin", "vera"]);
  });
});

describe("roles and visibility", () => {
  it("lets a viewer clone but not push, with the reason", async () => {
    const clone = await runGit(["clone", "-q", t.gitUrl(privateRepo, viewerToken), "viewer-clone"], t.root, t.home);
    expect(clone.code, clone.stderr).toBe(0);
    const viewer = await t.workingCopy(privateRepo, viewerToken, "viewer-work");
    await viewer.ok("fetch", "-q", "origin", "main");
    await viewer.ok("checkout", "-q", "-b", "main", "FETCH_HEAD");
    await viewer.commit("feat: viewer change");
    const before = await remoteRefs(privateRepo);
    const push = await viewer.git("push", "origin", "HEAD:refs/heads/main");
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain("403");

    const response = await infoRefs(privateRepo, "git-receive-pack", basic(viewerToken));
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "FORBIDDEN", message: `This needs the developer role on ${privateRepo}; you are viewer.` });
    expect(await remoteRefs(privateRepo)).toBe(before);
    expect((await pushesOf(privateRepo)).map((p) => p.after)).toEqual([mainSha]);
  });

  it("never lets a path reach another repository than the one checked (`..`, encoded or not)", async () => {
    const { port } = new URL(t.url);
    for (const path of [`/git/${publicRepo}.git/../private.git/info/refs?service=git-upload-pack`, `/git/${publicRepo}.git/%2e%2e/private.git/info/refs?service=git-upload-pack`, `/git/${publicRepo}.git/..%2fprivate.git/git-upload-pack`]) {
      const { status, body } = await rawGet(Number(port), path);
      expect(status, path).toBe(404);
      expect(body).not.toContain(mainSha);
    }
  });

  it("clones a public repository anonymously, but refuses an anonymous push", async () => {
    const clone = await runGit(["clone", "-q", t.gitUrl(publicRepo, null), "public-clone"], t.root, t.home);
    expect(clone.code, clone.stderr).toBe(0);
    expect((await runGit(["rev-parse", "HEAD"], join(t.root, "public-clone"), t.home)).stdout.trim()).toBe(mainSha);
    const response = await infoRefs(publicRepo, "git-receive-pack");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="slipway"');
  });
});

describe("the data directory", () => {
  it("writes admin.token with mode 0600", async () => {
    expect((await stat(join(t.dataDir, "admin.token"))).mode & 0o777).toBe(0o600);
  });

  it("refuses a second `slipway up` on the same directory with a clear message", async () => {
    assertBuilt();
    const second = await slipway(["up", "--data", t.dataDir, "--port", "0"], t.root, { HOME: t.home });
    expect(second.code).not.toBe(0);
    expect(second.code).not.toBeNull();
    expect(second.stderr).toContain(`Another slipway server (pid ${process.pid}) is already using ${t.dataDir}`);
    expect((await t.admin.api("GET", "/user")).status).toBe(200);
  });

  it("refuses a second server in the same process too", async () => {
    await expect(startServer({ dataDir: t.dataDir, port: 0, log: () => undefined })).rejects.toThrow(/Another slipway server .* is already using/);
  });

  it("takes over a stale lock whose pid now names another process (pid reuse after a crash)", async () => {
    const dataDir = join(t.root, "stale-data");
    await mkdir(dataDir);
    // Our own pid, as a server that crashed long ago might have recorded it, with another start time.
    await writeFile(join(dataDir, "slipway.lock"), `${process.pid} 1\n`);
    const server = await startCliServer(dataDir, t.root, t.home);
    try {
      expect((await server.api("GET", "/user")).status).toBe(200);
      const [pid] = (await readFile(join(dataDir, "slipway.lock"), "utf8")).split(" ");
      expect(Number(pid)).toBe(server.child.pid);
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toMatchObject({ code: 0 });
    }
  });
});

/** A GET with the path sent exactly as given (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: "127.0.0.1", port, path }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
}
