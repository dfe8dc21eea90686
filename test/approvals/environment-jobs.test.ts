/**
 * Workflow jobs with `environment:` on a real server: a job deploying to a protected environment waits (status
 * `waiting`, in the API and `slipway runs show`) until another writer approves, then runs; a rejection fails it
 * and skips what needs it; a cancelled run withdraws its request; unprotected environments and local runs never wait.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalView } from "../../src/server/services/approvals";
import type { LogChunk, RunWithJobs } from "../../src/store";
import { assertBuilt, slipway } from "../support/cli";
import { startTestServer, waitUntil, type TestServer, type TestUser, type WorkingCopy } from "../support/server";

const workflow = [
  "name: deploy",
  "on: push",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo built",
  "  deploy:",
  "    needs: build",
  "    runs-on: ubuntu-latest",
  "    environment:",
  "      name: ${{ github.ref_name == 'main' && 'production' || 'staging' }}",
  "      url: https://example.test",
  "    steps:",
  "      - run: echo deployed-to-production",
  "  after:",
  "    needs: deploy",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo after-deploy",
  "  preview:",
  "    runs-on: ubuntu-latest",
  "    environment: preview",
  "    steps:",
  "      - run: echo preview-deployed",
  "",
].join("\n");

describe("workflow jobs deploying to protected environments", () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let work: WorkingCopy;
  const as = (user: TestUser) => ({ SLIPWAY_URL: t.url, SLIPWAY_TOKEN: user.token });
  const run = async (id: number): Promise<RunWithJobs> => (await bob.api<RunWithJobs>("GET", `/runs/${id}`)).body;
  const job = (r: RunWithJobs, key: string) => r.jobs.find((j) => j.jobKey === key);
  const pushRun = async (label: string): Promise<number> => {
    const before = new Set((await bob.api<{ id: number }[]>("GET", "/repos/acme/app/runs")).body.map((r) => r.id));
    await work.commit(label, { "notes.txt": `${label}\n` });
    await work.ok("push", "-q", "origin", "HEAD:main");
    return waitUntil("the run", async () => (await bob.api<{ id: number }[]>("GET", "/repos/acme/app/runs")).body.find((r) => !before.has(r.id))?.id);
  };
  const waitingApproval = async (runId: number): Promise<ApprovalView> => {
    await waitUntil("the deploy job to wait", async () => (job(await run(runId), "deploy")?.status === "waiting" ? true : undefined), 30_000, 100);
    const list = (await bob.api<ApprovalView[]>("GET", "/approvals?repo=acme/app&kind=job&state=pending")).body;
    const found = list.find((a) => a.payload.runId === runId);
    if (!found) throw new Error(`no pending approval for run ${runId}: ${JSON.stringify(list)}`);
    return found;
  };
  const completed = (runId: number) => waitUntil(`run ${runId} to complete`, async () => ((await run(runId)).status === "completed" ? run(runId) : undefined), 30_000, 100);
  const logOf = async (runId: number, key: string): Promise<string> => {
    const r = await run(runId);
    const chunks = (await bob.api<LogChunk[]>("GET", `/runs/${runId}/jobs/${job(r, key)?.id}/logs?limit=1000`)).body;
    return chunks.map((c) => c.content).join("");
  };

  beforeAll(async () => {
    assertBuilt();
    t = await startTestServer({ maxParallelJobs: 1 });
    [alice, bob] = [await t.createUser("alice"), await t.createUser("bob")];
    await t.createRepo("acme/app", { members: { alice: "developer", bob: "developer" } });
    expect((await t.admin.api("PUT", "/repos/acme/app/environments/production", { requiredReviewers: 1 })).status).toBe(200);
    work = await t.workingCopy("acme/app", alice.token);
    await work.write({ ".slipway/workflows/deploy.yml": workflow });
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("holds the job until another writer approves, without taking a runner slot, then runs it", async () => {
    const runId = await pushRun("first deploy");
    const approval = await waitingApproval(runId);
    expect(approval).toMatchObject({ environment: "production", requester: "alice", state: "pending", payload: { job: "deploy", url: "https://example.test", workflow: ".slipway/workflows/deploy.yml" } });
    let current = await run(runId);
    expect(job(current, "deploy")).toMatchObject({ status: "waiting", environment: "production", error: expect.stringContaining(`slipway approve ${approval.id}`) });
    // With one runner slot, the unprotected `preview` job still ran while `deploy` waited.
    const preview = await waitUntil("preview to finish", async () => (job(await run(runId), "preview")?.status === "completed" ? job(await run(runId), "preview") : undefined), 30_000, 100);
    expect(preview).toMatchObject({ conclusion: "success", environment: "preview" });
    current = await run(runId);
    expect(job(current, "deploy")?.status).toBe("waiting");
    expect(job(current, "after")).toBeUndefined();
    const shown = await slipway(["runs", "show", String(runId)], t.root, as(bob));
    expect(shown.stdout).toMatch(new RegExp(`○ deploy .*Waiting for approval ${approval.id} to deploy to production \\(1 approval from users other than alice\\)`));

    const own = await alice.api<{ error: { code: string } }>("POST", `/approvals/${approval.id}/approve`, {});
    expect(own.status).toBe(403);
    expect(job(await run(runId), "deploy")?.status).toBe("waiting");
    expect((await slipway(["approve", String(approval.id)], t.root, as(bob))).code).toBe(0);
    current = await completed(runId);
    expect(current.conclusion).toBe("success");
    expect(current.jobs.map((j) => [j.jobKey, j.conclusion, j.error])).toEqual(expect.arrayContaining([["deploy", "success", null], ["after", "success", null]]));
    const log = await logOf(runId, "deploy");
    expect(log).toContain(`Waiting for approval ${approval.id} to deploy to production`);
    expect(log).toContain("deployed-to-production");
    expect((await bob.api<ApprovalView>("GET", `/approvals/${approval.id}`)).body).toMatchObject({ state: "approved", execution: "succeeded", result: { released: true, runId } });
  }, 90_000);

  it("fails the job on rejection, with a clear message, and skips the jobs that need it", async () => {
    const runId = await pushRun("second deploy");
    const approval = await waitingApproval(runId);
    const rejected = await slipway(["reject", String(approval.id), "-m", "wrong build"], t.root, as(bob));
    expect(rejected.stdout).toContain("rejected: rejected by bob: wrong build");
    const current = await completed(runId);
    expect(current.conclusion).toBe("failure");
    expect(job(current, "deploy")).toMatchObject({ conclusion: "failure", error: `Deployment to production was rejected (rejected by bob: wrong build): approval ${approval.id}. The job did not run.` });
    expect(job(current, "after")?.conclusion).toBe("skipped");
    expect(await logOf(runId, "deploy")).not.toContain("deployed-to-production");
  }, 90_000);

  it("withdraws the request when the run is cancelled while it waits", async () => {
    const runId = await pushRun("third deploy");
    const approval = await waitingApproval(runId);
    expect((await alice.api("POST", `/runs/${runId}/cancel`)).status).toBe(202);
    const current = await completed(runId);
    expect(current.conclusion).toBe("cancelled");
    expect(job(current, "deploy")).toMatchObject({ conclusion: "cancelled", error: expect.stringMatching(new RegExp(`^Cancelled while waiting for approval ${approval.id} to deploy to production`)) });
    expect((await bob.api<ApprovalView>("GET", `/approvals/${approval.id}`)).body.state).toBe("cancelled");
    expect((await bob.api<{ error: { message: string } }>("POST", `/approvals/${approval.id}/approve`, {})).body.error.message).toMatch(/is cancelled/);
  }, 90_000);

  it("never waits in a local `slipway run`", async () => {
    const local = await slipway(["run", "--job", "deploy"], work.dir, {});
    expect(local.code).toBe(0);
    expect(`${local.stdout}${local.stderr}`).not.toMatch(/Waiting for approval/);
  }, 60_000);
});
