/**
 * A `slipway up` subprocess killed with SIGKILL in the middle of a run, then restarted on the same data
 * directory. Documented behaviour: runs are not resumed — the interrupted run is marked failed, with its
 * logs up to the kill kept and its checks failed; step processes that outlived the server are ended on
 * the next start; a push the dead server had not processed (a spool file, or a recorded but unprocessed
 * push row) is processed on restart.
 */

import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore, type LogChunk, type PushRecord, type RunRecord, type RunWithJobs } from "../../src/store";
import { killMarked, processesWithArgument, uniqueSleepMarker } from "../support/cli";
import { useCliServerWorkspace, type CliServer } from "./support/cli-server";
import { gitUrl, runGit, waitUntil, WorkingCopy, workflowYaml } from "../support/server";

const repo = "admin/recover";
const marker = uniqueSleepMarker();
const workspace = useCliServerWorkspace("slipway-recovery-", () => killMarked(marker));

async function jobLogs(server: CliServer, runId: number): Promise<string> {
  const run = (await server.api<RunWithJobs>("GET", `/runs/${runId}`)).body;
  const job = run.jobs[0];
  if (!job) return "";
  return (await server.api<LogChunk[]>("GET", `/runs/${runId}/jobs/${job.id}/logs?limit=1000`)).body.map((c) => c.content).join("");
}

describe("the server killed with SIGKILL during a run", () => {
  it("marks the run failed after a restart, keeps its logs, ends its orphaned steps and loses no push", async () => {
    const first = await workspace.up();
    const created = await first.api<{ id: number }>("POST", "/repos", { name: repo });
    expect(created.status).toBe(201);
    const work = await WorkingCopy.create(join(workspace.root, "work"), gitUrl(first.url, repo, first.token), workspace.home);
    const slowSha = await work.commit("ci: slow", { ".slipway/workflows/ci.yml": workflowYaml("push", [`echo "line before the kill"; sleep ${marker}`]) });
    await work.ok("push", "-q", "origin", "main");

    const runId = await waitUntil("the run to start", async () => (await first.api<RunRecord[]>("GET", `/repos/${repo}/runs`)).body[0]?.id);
    await waitUntil("the step's first line in the logs", async () => ((await jobLogs(first, runId)).includes("line before the kill") ? true : undefined));
    expect((await processesWithArgument(marker)).length).toBe(1);

    first.child.kill("SIGKILL");
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" });
    // Steps run in their own process groups: without the startup sweep this sleep would run for 1000 s.
    const orphans = await processesWithArgument(marker);

    // A push the dead server never saw through: git updated the ref and its post-receive hook spooled it.
    const quickSha = await work.commit("ci: quick", { ".slipway/workflows/ci.yml": workflowYaml("push", ["echo after the restart"]) });
    const spool = join(workspace.dataDir, "spool", "pushes", `${created.body.id}.${Buffer.from("admin").toString("base64url")}.${randomUUID()}`);
    const direct = await runGit(["push", "-q", join(workspace.dataDir, "git", `${repo}.git`), "main"], work.dir, workspace.home);
    expect(direct.code, direct.stderr).toBe(0);
    await mkdir(join(workspace.dataDir, "spool", "pushes"), { recursive: true });
    await writeFile(spool, `${slowSha} ${quickSha} refs/heads/main\n`);

    // A push the dead server recorded but had not processed (no run dispatched yet).
    const recordedSha = await work.commit("ci: recorded", { "recorded.txt": "1\n" });
    expect((await runGit(["push", "-q", join(workspace.dataDir, "git", `${repo}.git`), "main"], work.dir, workspace.home)).code).toBe(0);
    const store = await openStore({ dialect: "sqlite", path: join(workspace.dataDir, "slipway.db") });
    await store.repos.recordPush({ repoId: created.body.id, ref: "refs/heads/main", before: quickSha, after: recordedSha, pusher: "admin", forced: false, commits: [], changedPaths: ["recorded.txt"] });
    await store.close();

    const second = await workspace.up();
    expect(second.stderr()).toContain("marked failed");
    if (orphans.length > 0) expect(second.stderr()).toMatch(/ended \d+ step process\(es\) left running by the previous server/);
    expect(await processesWithArgument(marker)).toEqual([]);

    const interrupted = (await second.api<RunWithJobs>("GET", `/runs/${runId}`)).body;
    expect(interrupted).toMatchObject({ status: "completed", conclusion: "failure", error: "The server stopped while this run was in progress (it was not resumed)." });
    expect(interrupted.jobs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(await jobLogs(second, runId)).toContain("line before the kill");
    const checks = (await second.api<{ state: string; checks: { status: string; conclusion: string }[] }>("GET", `/repos/${repo}/commits/${slowSha}/checks`)).body;
    expect(checks.state).toBe("failed");
    expect(checks.checks.every((c) => c.status === "completed" && c.conclusion === "failure")).toBe(true);

    const push = await waitUntil("the spooled push to be processed", async () =>
      (await second.api<PushRecord[]>("GET", `/repos/${repo}/pushes`)).body.find((p) => p.after === quickSha && p.processedAt !== null),
    );
    expect(push).toMatchObject({ ref: "refs/heads/main", before: slowSha, pusher: "admin" });
    const rerun = await waitUntil("the run of the recovered push", async () => {
      const runs = (await second.api<RunRecord[]>("GET", `/repos/${repo}/runs`)).body;
      return runs.find((r) => r.sha === quickSha && r.status === "completed");
    });
    expect(rerun.conclusion).toBe("success");
    expect(await jobLogs(second, rerun.id)).toContain("after the restart");
    const recordedRun = await waitUntil("the run of the recorded push", async () =>
      (await second.api<RunRecord[]>("GET", `/repos/${repo}/runs`)).body.find((r) => r.sha === recordedSha && r.status === "completed"),
    );
    expect(recordedRun.conclusion).toBe("success");
    const pushes = (await second.api<PushRecord[]>("GET", `/repos/${repo}/pushes`)).body;
    expect(pushes.map((p) => p.after).sort()).toEqual([slowSha, quickSha, recordedSha].sort());
    expect(pushes.every((p) => p.processedAt !== null)).toBe(true);

    second.child.kill("SIGTERM");
    expect(await second.exited).toMatchObject({ code: 0 });
  });
});
