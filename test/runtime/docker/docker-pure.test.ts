/** The docker runtime's pure parts: resource quantities, registry hosts, signals from exit codes, labels read back for adoption. */

import { describe, expect, it } from "vitest";
import { containerLabels, orphanFromLabels } from "../../../src/runtime/docker/container-labels";
import { containerEnv } from "../../../src/runtime/docker/docker-driver";
import { registryOf } from "../../../src/runtime/docker/docker-engine";
import { memoryBytes, nanoCpus } from "../../../src/runtime/docker/quantities";
import type { ReplicaLaunch } from "../../../src/runtime/replica-driver";

describe("resource quantities", () => {
  it.each([
    ["128Mi", 134_217_728],
    ["1Gi", 1_073_741_824],
    ["1G", 1_000_000_000],
    ["512", 512],
    ["1.5Mi", 1_572_864],
  ])("memory %s = %d bytes", (quantity, bytes) => expect(memoryBytes(quantity, "web")).toBe(bytes));

  it.each([
    ["500m", 500_000_000],
    ["1", 1_000_000_000],
    ["0.25", 250_000_000],
    ["2", 2_000_000_000],
  ])("cpu %s = %d nano CPUs", (quantity, nano) => expect(nanoCpus(quantity, "web")).toBe(nano));

  it("refuses what Kubernetes refuses, naming the field", () => {
    expect(() => memoryBytes("12 MB", "Deployment dev/web")).toThrow(/Deployment dev\/web: resources\.limits\.memory "12 MB" is not a quantity/);
    expect(() => nanoCpus("half", "Deployment dev/web")).toThrow(/resources\.limits\.cpu "half"/);
  });
});

describe("registry hosts of image references", () => {
  it.each([
    ["127.0.0.1:7700/team/web:v1", "127.0.0.1:7700"],
    ["localhost/web", "localhost"],
    ["registry.example.com/a/b@sha256:00", "registry.example.com"],
    ["team/web:v1", undefined],
    ["node:20", undefined],
  ])("%s → %s", (image, host) => expect(registryOf(image)).toBe(host));
});

const launch: ReplicaLaunch = {
  namespace: "dev",
  name: "web-abc-12345",
  workload: { kind: "Deployment", name: "web" },
  revision: "abc",
  container: { name: "web", image: "x", command: [] },
  env: { PORT: "4000" },
  ports: [{ name: "http", containerPort: 8080, hostPort: 4000 }],
  mounts: [],
  labels: { app: "web" },
  replicaDir: "/tmp/none",
};

describe("container labels", () => {
  it("carry owner, application, namespace, workload, revision, replica, ports and template, and read back as an orphan", () => {
    const template = { labels: { app: "web" }, containers: [launch.container], terminationGracePeriodSeconds: 3 };
    const labels = containerLabels("owner-1", launch, template, { "app.kubernetes.io/instance": "shop" });
    expect(labels).toMatchObject({ app: "web", "slipway.dev/owner": "owner-1", "slipway.dev/application": "shop", "slipway.dev/replica": "web-abc-12345", "slipway.dev/revision": "abc" });
    expect(orphanFromLabels(labels, 1000)).toEqual({ name: "web-abc-12345", revision: "abc", ports: launch.ports, template, startedAt: 1000 });
  });

  it("are not adopted when edited by hand into something else", () => {
    const labels = containerLabels("owner-1", launch, { labels: {}, containers: [launch.container] });
    expect(orphanFromLabels({ ...labels, "slipway.dev/ports": "[{\"hostPort\":\"x\"}]" }, 0)).toBeUndefined();
    expect(orphanFromLabels({ ...labels, "slipway.dev/template": "{" }, 0)).toBeUndefined();
  });
});

describe("container env", () => {
  it("drops the host PATH and puts the image's in its place", () => {
    const hostPath = process.env.PATH ?? "";
    expect(containerEnv({ ...launch, env: { PATH: hostPath, A: "1" } }, "/image/bin")).toEqual(["A=1"]);
    expect(containerEnv({ ...launch, env: { PATH: `/tools:${hostPath}` } }, "/image/bin")).toEqual(["PATH=/tools:/image/bin"]);
  });
});
