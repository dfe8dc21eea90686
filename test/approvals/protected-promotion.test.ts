/**
 * Protected promotion through a real server and the built CLI: `slipway env protect`, `slipway promote` asks for
 * approval instead of pushing, the requester cannot approve, a viewer cannot, a second developer can and the
 * server then commits to the env repo; rejection with `--wait`; a wait timer; unprotected environments promote directly.
 */

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import type { ApprovalView } from "../../src/server/services/approvals";
import type { EventRecord } from "../../src/store";
import { assertBuilt, finished, parseJson, slipway, startSlipway } from "../support/cli";
import { startTestServer, waitUntil, type TestServer, type TestUser, type WorkingCopy } from "../support/server";

const deployment = (host: string, tag: string): string =>
  ["# web in this environment", "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web", "spec:", "  replicas: 2 # two for safety", "  template:",
    "    spec:", "      containers:", "        - name: web", `          image: ${host}/acme/shop/web:${tag} # promoted by slipway`, ""].join("\n");

describe("protected promotion", () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let vic: TestUser;
  let work: WorkingCopy;
  let host: string;
  let image: string;
  let scratch: string;
  const as = (user: TestUser) => ({ SLIPWAY_URL: t.url, SLIPWAY_TOKEN: user.token });
  const promoteArgs = (version: string, env: string) => ["promote", "web", version, "--to", env, "--env-repo", "acme/deploy", "--image", image];
  const headOf = async (): Promise<string> => {
    await work.ok("fetch", "-q", "origin", "main");
    return work.ok("rev-parse", "origin/main");
  };
  const fileAtHead = async (env: string): Promise<string> => {
    await headOf();
    return work.ok("show", `origin/main:envs/${env}/web/deployment.yaml`);
  };
  const approvalOf = async (id: number): Promise<ApprovalView> => (await bob.api<ApprovalView>("GET", `/approvals/${id}`)).body;

  beforeAll(async () => {
    assertBuilt();
    t = await startTestServer();
    host = new URL(t.url).host;
    image = `${host}/acme/shop/web`;
    [alice, bob, vic] = [await t.createUser("alice"), await t.createUser("bob"), await t.createUser("vic")];
    const members = { alice: "developer", bob: "developer", vic: "viewer" } as const;
    await t.createRepo("acme/deploy", { members });
    await t.createRepo("acme/shop", { members });
    work = await t.workingCopy("acme/deploy", alice.token);
    await work.commit("environments", { "envs/dev/web/deployment.yaml": deployment(host, "v1.0.0"), "envs/prod/web/deployment.yaml": deployment(host, "v1.0.0") });
    await work.ok("push", "-q", "origin", "HEAD:main");
    // A real image in the server's own registry, tagged v1.0.0 and v1.1.0.
    scratch = await mkdtemp(join(tmpdir(), "slipway-approvals-image-"));
    const oci = await OciStore.open(join(scratch, "oci"));
    await mkdir(join(scratch, "rootfs", "app"), { recursive: true });
    await writeFile(join(scratch, "rootfs", "app", "hello.txt"), "hello\n");
    await importRootFilesystem(oci, { source: join(scratch, "rootfs"), tag: "hello:v1.0.0" });
    const client = new RegistryClient({ registry: host, credentials: { username: "alice", password: alice.token } });
    await pushImageFromStore(oci, "hello", "v1.0.0", client, "acme/shop/web", ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"]);
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("lets only a repository admin protect an environment, and lists it", async () => {
    const denied = await slipway(["env", "protect", "prod", "--reviewers", "1", "--repository", "acme/deploy"], t.root, as(alice));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/needs the admin role on acme\/deploy/);
    const invalid = await slipway(["env", "protect", "prod", "--reviewers", "1", "--wait-timer", "soon", "--repository", "acme/deploy"], t.root, as(t.admin));
    expect(invalid.stderr).toMatch(/'soon' is not a duration/);
    const set = await slipway(["env", "protect", "prod", "--reviewers", "1", "--repository", "acme/deploy"], t.root, as(t.admin));
    expect(set.stdout).toBe("prod in acme/deploy is protected: 1 approval(s) from users other than the requester\n");
    const listed = parseJson<{ name: string; protected: boolean; requiredReviewers: number }[]>(await slipway(["env", "ls", "--repository", "acme/deploy", "--json"], t.root, as(vic)));
    expect(listed.map((e) => [e.name, e.protected, e.requiredReviewers])).toEqual([["prod", true, 1]]);
  }, 30_000);

  it("promotes to an unprotected environment directly, as without a server", async () => {
    const result = await slipway(promoteArgs("1.1.0", "dev"), t.root, as(alice));
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^promoted web to dev: .*:v1\.0\.0 → .*:v1\.1\.0\n/);
    expect(await fileAtHead("dev")).toContain(`${image}:v1.1.0 # promoted by slipway`);
  }, 30_000);

  it("turns a promotion to a protected environment into a request that only another writer can approve", async () => {
    const before = await headOf();
    const requested = await slipway(promoteArgs("1.1.0", "prod"), t.root, as(alice));
    expect(requested.code).toBe(0);
    const id = Number(/requested approval (\d+)/.exec(requested.stdout)?.[1]);
    expect(requested.stdout).toContain(`slipway approve ${id}`);
    expect(await headOf()).toBe(before);

    const pending = parseJson<ApprovalView[]>(await slipway(["approvals", "--env", "prod", "--json"], t.root, as(bob)));
    expect(pending.map((a) => [a.id, a.kind, a.requester, a.state, a.payload.service, a.payload.version])).toEqual([[id, "promotion", "alice", "pending", "web", "1.1.0"]]);
    const table = await slipway(["approvals"], t.root, as(bob));
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+acme/deploy\\s+prod\\s+promote web 1.1.0\\s+alice\\s+0/1\\s+pending: waiting for 1 more approval`));

    const own = await slipway(["approve", String(id)], t.root, as(alice));
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/alice requested approval request \d+ and cannot review it/);
    const viewer = await slipway(["approve", String(id)], t.root, as(vic));
    expect(viewer.stderr).toMatch(/needs write access .* vic is viewer/);
    expect((await approvalOf(id)).reviews).toEqual([]);

    const approved = await slipway(["approve", String(id), "--comment", "ship it"], t.root, as(bob));
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/approved by bob: ship it/);
    const done = await waitUntil("the server's promotion", async () => ((await approvalOf(id)).execution === "succeeded" ? approvalOf(id) : undefined), 20_000, 100);
    expect(done.result).toMatchObject({ alreadyAtVersion: false, changedFiles: ["envs/prod/web/deployment.yaml"], newImage: `${image}:v1.1.0`, previousImage: `${image}:v1.0.0` });
    expect(await headOf()).toBe((done.result as { commit: string }).commit);
    expect(await fileAtHead("prod")).toContain(`${image}:v1.1.0 # promoted by slipway`);
    expect(await work.ok("log", "-1", "--format=%an|%s", "origin/main")).toBe("alice|deploy(web): v1.1.0 to prod");
    const pushes = (await bob.api<{ after: string; pusher: string }[]>("GET", "/repos/acme/deploy/pushes")).body;
    expect(pushes.find((push) => push.after === (done.result as { commit: string }).commit)).toMatchObject({ pusher: "alice" });
    const events = await t.server.context.store.events.list({ subject: `approval:${id}` });
    expect(events.map((e: EventRecord) => e.type)).toEqual(["approval.requested", "approval.approved", "approval.completed"]);
    expect(events[1]?.payload).toMatchObject({ actor: "bob", repo: "acme/deploy", environment: "prod", message: "ship it" });
    // Decided: no more reviews.
    expect((await slipway(["reject", String(id)], t.root, as(t.admin))).stderr).toMatch(/is approved: only a pending request can be reviewed/);
  }, 60_000);

  it("blocks `promote --wait` until a rejection, and pushes nothing", async () => {
    const before = await headOf();
    const waiting = finished(startSlipway([...promoteArgs("1.2.0", "prod"), "--wait"], t.root, as(alice)));
    const request = await waitUntil("the request", async () => (await bob.api<ApprovalView[]>("GET", "/approvals?state=pending&environment=prod")).body.find((a) => a.payload.version === "1.2.0"));
    const rejected = await slipway(["reject", String(request.id), "-m", "not during the freeze"], t.root, as(bob));
    expect(rejected.code).toBe(0);
    const result = await waiting;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`approval ${request.id}: promote web 1.2.0 to prod (acme/deploy), requested by alice\n  rejected: rejected by bob: not during the freeze\n`);
    expect(await headOf()).toBe(before);
    expect((await approvalOf(request.id)).execution).toBeNull();
  }, 60_000);

  it("waits for the wait timer after the approvals are in", async () => {
    expect((await t.admin.api("PUT", "/repos/acme/deploy/environments/prod", { requiredReviewers: 1, waitTimerSeconds: 2 })).status).toBe(200);
    const created = await alice.api<ApprovalView>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "1.3.0", image } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ waitTimerSeconds: 2, progress: { ready: false, waitingFor: ["1 more approval", expect.stringMatching(/^the wait timer/)] } });
    const approved = await bob.api<ApprovalView>("POST", `/approvals/${created.body.id}/approve`, {});
    expect(approved.body).toMatchObject({ state: "approved", execution: null, progress: { ready: false, waitingFor: [expect.stringMatching(/^the wait timer/)] } });
    const done = await waitUntil("the timed promotion", async () => ((await approvalOf(created.body.id)).execution === "succeeded" ? approvalOf(created.body.id) : undefined), 20_000, 100);
    expect(done.completedAt! - done.createdAt).toBeGreaterThanOrEqual(2000);
    expect(await fileAtHead("prod")).toContain(`${image}:v1.3.0`);
  }, 60_000);

  it("lets the requester or a maintainer withdraw a request, publishes every decision, and unprotects", async () => {
    const seen: string[] = [];
    const unsubscribe = t.server.context.events.subscribe((event) => {
      if (event.type.startsWith("approval.")) seen.push(event.type);
    });
    const created = await alice.api<ApprovalView>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "1.2.0", image } });
    expect((await bob.api<{ error: { message: string } }>("POST", `/approvals/${created.body.id}/cancel`)).status).toBe(403);
    const cancelled = await alice.api<ApprovalView>("POST", `/approvals/${created.body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ state: "cancelled", reason: "cancelled by alice", progress: { denied: true } });
    expect((await alice.api<{ error: { code: string } }>("POST", `/approvals/${created.body.id}/cancel`)).body.error.code).toBe("CONFLICT");
    unsubscribe();
    expect(seen).toEqual(["approval.requested", "approval.cancelled"]);

    expect((await slipway(["env", "unprotect", "prod", "--repository", "acme/deploy"], t.root, as(t.admin))).stdout).toBe("prod in acme/deploy is not protected: deployments to it need no approval\n");
    const direct = await slipway(promoteArgs("1.2.0", "prod"), t.root, as(alice));
    expect(direct.stdout).toMatch(/^promoted web to prod: .*:v1\.3\.0 → .*:v1\.2\.0\n/);
    // Through the API, an unprotected environment's request is approved at once and performed by the server.
    const viaApi = await alice.api<ApprovalView>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "1.3.0", image } });
    expect(viaApi.body).toMatchObject({ state: "approved", requiredReviewers: 0, reviews: [] });
    await waitUntil("the API promotion", async () => ((await approvalOf(viaApi.body.id)).execution === "succeeded" ? true : undefined), 20_000, 100);
    expect(await fileAtHead("prod")).toContain(`${image}:v1.3.0`);
  }, 30_000);

  it("refuses bad requests and changes nothing", async () => {
    const missing = await alice.api<{ error: { code: string; message: string } }>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "9.9.9", image } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`image ${image}:v9.9.9 does not exist in the registry ${host}`);
    const badVersion = await alice.api<{ error: { code: string } }>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "latest", image } });
    expect(badVersion.body.error.code).toBe("REQUEST_INVALID");
    expect((await vic.api("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "1.1.0", image } })).status).toBe(403);
    expect((await t.admin.api("PUT", "/repos/acme/deploy/environments/prod", { requiredReviewers: 9 })).status).toBe(400);
    expect((await t.apiWith(null)("GET", "/approvals/1")).status).toBe(404);
    expect((await bob.api("GET", "/approvals?state=pending&environment=prod")).body).toEqual([]);
  }, 30_000);
});
