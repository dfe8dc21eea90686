/** Bad objects fail the whole apply with precise messages and change nothing that runs. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLocalRuntime } from "../../src/runtime/local/local-runtime";
import type { RuntimeObject } from "../../src/runtime/types";
import { validateObjects } from "../../src/runtime/validate";
import { appDeployment, appService } from "./support";

function problems(objects: RuntimeObject[], namespace = "dev"): string[] {
  try {
    validateObjects(namespace, objects);
    return [];
  } catch (error) {
    return (error as { details: { problems: string[] } }).details.problems;
  }
}

describe("validateObjects", () => {
  it("accepts good objects", () => {
    expect(problems([appService("web"), appDeployment({ name: "web", version: "v1" })])).toEqual([]);
  });

  it("names object and field of each problem", () => {
    const twoContainers = appDeployment({ name: "web", version: "v1" });
    twoContainers.template.containers.push({ ...twoContainers.template.containers[0], name: "sidecar" });
    // No command is fine: the image's Entrypoint/Cmd runs.
    const noCommand = appDeployment({ name: "api", version: "v1", container: { command: [] } });
    const badSelector = appDeployment({ name: "db", version: "v1", spec: { selector: { app: "other" } } });
    const badProbe = appDeployment({ name: "q", version: "v1", container: { readinessProbe: { httpGet: { path: "/", port: "metrics" } } } });
    const unknown = { kind: "CronJob", name: "nightly" } as unknown as RuntimeObject;
    expect(problems([twoContainers, noCommand, badSelector, badProbe, unknown, appService("web"), appService("web")])).toEqual([
      "Deployment dev/web: spec.template.containers the local runtime runs exactly one container per replica (got 2)",
      "Deployment dev/db: spec.selector does not match spec.template.labels",
      'Deployment dev/q: spec.template.containers[0].readinessProbe.port names no container port "metrics"',
      "CronJob dev/nightly: unknown kind (the local runtime runs Deployment, Service, Ingress, ConfigMap, Secret, Job)",
      "Service dev/web: metadata.name appears twice in one apply",
    ]);
    expect(problems([], "Bad_NS")[0]).toMatch(/namespace "Bad_NS"/);
  });

  it("changes nothing when one object of a batch is bad", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-runtime-"));
    const runtime = createLocalRuntime({ dataDir });
    const bad = appDeployment({ name: "api", version: "v1", spec: { selector: { app: "other" } } });
    await expect(runtime.apply("dev", [appService("web"), bad])).rejects.toThrow(/spec.selector does not match/);
    expect(runtime.namespaces()).toEqual([]);
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});
