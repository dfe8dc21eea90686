import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/core/json";
import { applicationHealth, resourceHealth, worstHealth, type Health, type HealthStatus, type LiveObject, type LiveStatus } from "../../src/sync";
import { asLive, deploymentObject, simpleObject } from "./objects";

const now = new Date("2025-06-01T12:00:00Z");
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

function deployment(replicas: number, status: LiveStatus, mutate?: (o: JsonObject) => void): LiveObject {
  return asLive(deploymentObject("web", { replicas }), status, mutate);
}

const deploymentCases: [string, LiveObject, Health][] = [
  ["all replicas updated and available", deployment(3, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }), { status: "Healthy" }],
  ["scaled to zero", deployment(0, { observedGeneration: 1 }), { status: "Healthy" }],
  ["paused", deployment(3, { observedGeneration: 1 }, (o) => { (o.spec as JsonObject).paused = true; }), { status: "Suspended", message: "Deployment is paused" }],
  ["generation not yet observed", deployment(3, { observedGeneration: 0, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), { status: "Progressing", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" }],
  ["new replicas still being created", deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }), { status: "Progressing", message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..." }],
  ["old replicas pending termination", deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), { status: "Progressing", message: "Waiting for rollout to finish: 1 old replicas are pending termination..." }],
  ["updated replicas not yet available", deployment(3, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }), { status: "Progressing", message: "Waiting for rollout to finish: 2 of 3 updated replicas are available..." }],
  ["no status reported yet", deployment(2, {}), { status: "Progressing", message: "Waiting for rollout to finish: 0 out of 2 new replicas have been updated..." }],
  [
    "progress deadline exceeded, reported by the runtime",
    deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] }),
    { status: "Degraded", message: 'Deployment "web" exceeded its progress deadline' },
  ],
  [
    "progress deadline exceeded, computed from lastUpdateTime",
    deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: "Progressing", status: "True", reason: "ReplicaSetUpdated", lastUpdateTime: secondsAgo(601) }] }),
    { status: "Degraded", message: 'Deployment "web" exceeded its progress deadline' },
  ],
  [
    "within its own progressDeadlineSeconds",
    deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: "Progressing", status: "True", lastUpdateTime: secondsAgo(50) }] }, (o) => { (o.spec as JsonObject).progressDeadlineSeconds = 60; }),
    { status: "Progressing", message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..." },
  ],
  [
    "past its own progressDeadlineSeconds",
    deployment(3, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: "Progressing", status: "True", lastUpdateTime: secondsAgo(61) }] }, (o) => { (o.spec as JsonObject).progressDeadlineSeconds = 60; }),
    { status: "Degraded", message: 'Deployment "web" exceeded its progress deadline' },
  ],
  [
    "a finished rollout is Healthy even long after its last progress",
    deployment(1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: "Progressing", status: "True", lastUpdateTime: secondsAgo(9999) }] }),
    { status: "Healthy" },
  ],
  [
    "status read from the object itself (a Kubernetes runtime)",
    asLive(deploymentObject("web", { replicas: 2 }), undefined, (o) => { o.status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }; }),
    { status: "Healthy" },
  ],
];

describe("Deployment health", () => {
  it.each(deploymentCases)("%s", (_name, live, expected) => {
    expect(resourceHealth(live, now)).toEqual(expected);
  });
});

const job = (status: LiveStatus, spec: JsonObject = {}) => asLive(simpleObject("Job", "smoke", undefined, { spec }), status);
const jobCases: [string, LiveObject, HealthStatus][] = [
  ["running", job({ active: 1 }), "Progressing"],
  ["succeeded", job({ succeeded: 1 }), "Healthy"],
  ["failed past its backoffLimit", job({ failed: 1 }, { backoffLimit: 0 }), "Degraded"],
  ["failed but retrying within its backoffLimit", job({ failed: 2, active: 1 }), "Progressing"],
  ["Complete condition", job({ conditions: [{ type: "Complete", status: "True" }] }), "Healthy"],
  ["Failed condition", job({ conditions: [{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }] }), "Degraded"],
  ["suspended", job({}, { suspend: true }), "Suspended"],
  ["needs all completions", job({ succeeded: 1, active: 1 }, { completions: 2 }), "Progressing"],
];

describe("Job health", () => {
  it.each(jobCases)("%s", (_name, live, expected) => {
    expect(resourceHealth(live).status).toBe(expected);
  });
  it("carries the failure message", () => {
    expect(resourceHealth(job({ conditions: [{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }] }))).toEqual({ status: "Degraded", message: "BackoffLimitExceeded" });
  });
});

describe("other kinds", () => {
  const cases: [string, LiveObject | undefined, HealthStatus][] = [
    ["absent", undefined, "Missing"],
    ["Service", asLive(simpleObject("Service", "web", undefined, { spec: { ports: [{ port: 80 }] } })), "Healthy"],
    ["LoadBalancer Service without an address", asLive(simpleObject("Service", "web", undefined, { spec: { type: "LoadBalancer" } })), "Progressing"],
    ["LoadBalancer Service with an address", asLive(simpleObject("Service", "web", undefined, { spec: { type: "LoadBalancer" } }), { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } }), "Healthy"],
    ["ConfigMap", asLive(simpleObject("ConfigMap", "cfg")), "Healthy"],
    ["Secret", asLive(simpleObject("Secret", "sec")), "Healthy"],
    ["Namespace", asLive(simpleObject("Namespace", "dev")), "Healthy"],
    ["Ingress", asLive(simpleObject("Ingress", "web")), "Healthy"],
    ["child Application reporting Degraded", asLive(simpleObject("Application", "child", undefined, { status: { health: { status: "Degraded" } } })), "Degraded"],
  ];
  it.each(cases)("%s", (_name, live, expected) => {
    expect(resourceHealth(live).status).toBe(expected);
  });
});

describe("application health: the worst of its resources", () => {
  const order: [HealthStatus[], HealthStatus][] = [
    [[], "Healthy"],
    [["Healthy", "Suspended"], "Suspended"],
    [["Suspended", "Progressing"], "Progressing"],
    [["Progressing", "Missing"], "Missing"],
    [["Missing", "Degraded"], "Degraded"],
    [["Degraded", "Unknown", "Healthy"], "Unknown"],
  ];
  it.each(order)("worst of %j is %s", (statuses, expected) => {
    expect(worstHealth(statuses)).toBe(expected);
  });

  it("folds desired and live: Missing for what the runtime lacks, hooks excluded", () => {
    const desired = [deploymentObject("web", { replicas: 1 }), simpleObject("Service", "web"), simpleObject("ConfigMap", "cfg"), simpleObject("Job", "smoke", { "argocd.argoproj.io/hook": "PostSync" })];
    const live = [
      asLive(deploymentObject("web", { replicas: 1 }), { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
      asLive(simpleObject("Service", "web")),
      asLive(simpleObject("Job", "smoke", { "argocd.argoproj.io/hook": "PostSync" }), { failed: 7 }),
    ];
    const health = applicationHealth(desired, live, now);
    expect(health.status).toBe("Missing");
    expect(health.resources.map((r) => `${r.ref.kind}/${r.ref.name}:${r.status}`)).toEqual(["Deployment/web:Healthy", "Service/web:Healthy", "ConfigMap/cfg:Missing"]);
  });

  it("counts a live object git no longer has until it is pruned", () => {
    const live = [asLive(deploymentObject("old", { replicas: 2 }), { observedGeneration: 1, updatedReplicas: 0, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] })];
    expect(applicationHealth([], live, now).status).toBe("Degraded");
  });
});
