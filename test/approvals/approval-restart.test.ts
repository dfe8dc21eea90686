/**
 * Approvals across a SIGKILLed `slipway up`. Chosen behaviour: runs are not resumed after a restart, so a job
 * that waited for approval is failed with a message saying why and its request cancelled (nobody can approve a
 * job that no longer exists); a pending promotion request is durable and is performed once approved after the restart.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApprovalView } from "../../src/server/services/approvals";
import type { RunRecord, RunWithJobs } from "../../src/store";
import { apiCaller, gitUrl, waitUntil, WorkingCopy, type ApiCaller } from "../support/server";
import { useCliServerWorkspace, type CliServer } from "../server/support/cli-server";

const workflow = ["name: deploy", "on: push", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    environment: production", "    steps:", "      - run: echo deployed", ""].join("\n");
const deployment = (tag: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: 127.0.0.1:5000/acme/shop/web:${tag}\n`;

const workspace = useCliServerWorkspace("slipway-approval-restart-");

async function userToken(server: CliServer, name: string): Promise<string> {
  expect((await server.api("POST", "/users", { name })).status).toBe(201);
  return (await server.api<{ token: string }>("POST", `/users/${name}/tokens`, { name: "test" })).body.token;
}

describe("approvals when the server is killed and restarted", () => {
  it("fails the waiting job clearly and keeps the pending promotion approvable", async () => {
    const first = await workspace.up();
    const alice = await userToken(first, "alice");
    const bob = await userToken(first, "bob");
    for (const repo of ["acme/app", "acme/deploy"]) {
      expect((await first.api("POST", "/repos", { name: repo })).status).toBe(201);
      for (const user of ["alice", "bob"]) expect((await first.api("PUT", `/repos/${repo}/members/${user}`, { role: "developer" })).status).toBe(200);
    }
    expect((await first.api("PUT", "/repos/acme/app/environments/production", { requiredReviewers: 1 })).status).toBe(200);
    expect((await first.api("PUT", "/repos/acme/deploy/environments/prod", { requiredReviewers: 1 })).status).toBe(200);
    const deploy = await WorkingCopy.create(join(workspace.root, "deploy"), gitUrl(first.url, "acme/deploy", alice), workspace.home);
    await deploy.commit("environments", { "envs/prod/web/deployment.yaml": deployment("v1.0.0") });
    await deploy.ok("push", "-q", "origin", "HEAD:main");
    const app = await WorkingCopy.create(join(workspace.root, "app"), gitUrl(first.url, "acme/app", alice), workspace.home);
    await app.commit("deploy workflow", { ".slipway/workflows/deploy.yml": workflow });
    await app.ok("push", "-q", "origin", "HEAD:main");

    const asAlice = apiCaller(first.url, alice);
    const runId = await waitUntil("the run", async () => (await asAlice<RunRecord[]>("GET", "/repos/acme/app/runs")).body[0]?.id);
    await waitUntil("the job to wait", async () => ((await asAlice<RunWithJobs>("GET", `/runs/${runId}`)).body.jobs[0]?.status === "waiting" ? true : undefined), 30_000, 100);
    const jobApproval = (await asAlice<ApprovalView[]>("GET", "/approvals?kind=job")).body[0]!;
    const promotion = await asAlice<ApprovalView>("POST", "/approvals", { repo: "acme/deploy", environment: "prod", kind: "promotion", payload: { service: "web", version: "1.1.0", image: "127.0.0.1:5000/acme/shop/web", verify: false } });
    expect(promotion.status).toBe(201);

    first.child.kill("SIGKILL");
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" });

    const second = await workspace.up();
    const asBob: ApiCaller = apiCaller(second.url, bob);
    const run = (await asBob<RunWithJobs>("GET", `/runs/${runId}`)).body;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.jobs[0]).toMatchObject({
      status: "completed", conclusion: "failure",
      error: `The server restarted while this job waited for approval ${jobApproval.id} (environment production); the request was cancelled. Re-run the workflow to deploy.`,
    });
    expect((await asBob<ApprovalView>("GET", `/approvals/${jobApproval.id}`)).body).toMatchObject({ state: "cancelled", reason: "the server restarted while the job waited; runs are not resumed" });

    expect((await asBob<ApprovalView>("GET", `/approvals/${promotion.body.id}`)).body.state).toBe("pending");
    expect((await asBob("POST", `/approvals/${promotion.body.id}/approve`, { comment: "after the restart" })).status).toBe(200);
    const done = await waitUntil("the promotion", async () => {
      const current = (await asBob<ApprovalView>("GET", `/approvals/${promotion.body.id}`)).body;
      return current.execution === "succeeded" || current.execution === "failed" ? current : undefined;
    }, 30_000, 100);
    expect(done).toMatchObject({ execution: "succeeded", result: { newImage: "127.0.0.1:5000/acme/shop/web:v1.1.0" } });
    await deploy.ok("remote", "set-url", "origin", gitUrl(second.url, "acme/deploy", bob));
    await deploy.ok("fetch", "-q", "origin", "main");
    expect(await deploy.ok("show", "origin/main:envs/prod/web/deployment.yaml")).toContain("web:v1.1.0");

    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  }, 120_000);
});
