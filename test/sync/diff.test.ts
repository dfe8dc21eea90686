import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/core/json";
import { diffObject, diffObjects, formatObjectDiff, overallSyncStatus } from "../../src/sync";
import { asLive, deploymentObject, simpleObject } from "./objects";

type Mutation = (live: JsonObject) => void;
const spec = (o: JsonObject) => o.spec as JsonObject;
const podSpec = (o: JsonObject) => ((spec(o).template as JsonObject).spec as JsonObject);
const container = (o: JsonObject) => (podSpec(o).containers as JsonObject[])[0];
const metadata = (o: JsonObject) => o.metadata as JsonObject;

const ignored: [string, Mutation][] = [
  ["runtime metadata (uid, resourceVersion, generation, creationTimestamp)", () => {}],
  ["managedFields", (o) => { metadata(o).managedFields = [{ manager: "kubectl" }]; }],
  ["status", (o) => { o.status = { replicas: 1, availableReplicas: 1 }; }],
  ["the last-applied-configuration annotation", (o) => { metadata(o).annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{}" }; }],
  ["deployment.kubernetes.io/revision", (o) => { metadata(o).annotations = { "deployment.kubernetes.io/revision": "3" }; }],
  ["replicas defaulted to 1", (o) => { spec(o).replicas = 1; }],
  ["protocol: TCP defaulted on a container port", (o) => { (container(o).ports as JsonObject[])[0].protocol = "TCP"; }],
  ["imagePullPolicy set by the runtime", (o) => { container(o).imagePullPolicy = "IfNotPresent"; }],
  ["other runtime defaults (dnsPolicy, revisionHistoryLimit, terminationMessagePath)", (o) => {
    podSpec(o).dnsPolicy = "ClusterFirst";
    spec(o).revisionHistoryLimit = 10;
    container(o).terminationMessagePath = "/dev/termination-log";
  }],
  ["an empty map the runtime adds", (o) => { container(o).resources = {}; }],
];

const detected: [string, Mutation, string[]][] = [
  ["an image edited by hand", (o) => { container(o).image = "shop/web:v0"; }, ['spec.template.spec.containers[0].image: "shop/web:v0" → "shop/web:v1"']],
  ["scaled by hand while git leaves replicas unset", (o) => { spec(o).replicas = 5; }, ["spec.replicas: 5 → 1"]],
  ["protocol changed away from the default", (o) => { (container(o).ports as JsonObject[])[0].protocol = "UDP"; }, ['spec.template.spec.containers[0].ports[0].protocol: "UDP" → "TCP"']],
  ["a label changed", (o) => { (metadata(o).labels as JsonObject).app = "other"; }, ['metadata.labels.app: "other" → "web"']],
  ["an env var added by hand", (o) => { container(o).env = [{ name: "DEBUG", value: "1" }]; }, []],
  ["a container added by hand", (o) => { (podSpec(o).containers as JsonObject[]).push({ name: "debug", image: "busybox" }); }, ['spec.template.spec.containers[1]: {"name":"debug","image":"busybox"} → (none)']],
  ["a port removed by hand", (o) => { container(o).ports = []; }, ['spec.template.spec.containers[0].ports[0]: (none) → {"containerPort":3000,"protocol":"TCP"}']],
  ["a wrong type", (o) => { spec(o).selector = "app=web"; }, ['spec.selector: "app=web" → {"matchLabels":{"app":"web"}}']],
];

describe("diffObject ignores what runtimes fill in", () => {
  it.each(ignored)("%s", (_name, mutate) => {
    const desired = deploymentObject();
    expect(diffObject(desired, asLive(desired, undefined, mutate))).toMatchObject({ status: "Synced", reason: "synced", changes: [] });
  });
});

describe("diffObject detects drift", () => {
  it.each(detected)("%s", (name, mutate, lines) => {
    const desired = deploymentObject();
    const diff = diffObject(desired, asLive(desired, undefined, mutate));
    // A field git never set (an env list added by hand) is not drift, as in Argo CD's two-way compare.
    if (lines.length === 0) return expect(diff.status, name).toBe("Synced");
    expect(diff.status).toBe("OutOfSync");
    expect(formatObjectDiff(diff).split("\n").slice(1).map((line) => line.trim())).toEqual(lines);
  });

  it("a new image in git is a field-level diff", () => {
    const live = asLive(deploymentObject("web", { image: "shop/web:v1" }));
    const diff = diffObject(deploymentObject("web", { image: "shop/web:v2" }), live);
    expect(formatObjectDiff(diff)).toBe('Deployment dev/web: OutOfSync\n  spec.template.spec.containers[0].image: "shop/web:v1" → "shop/web:v2"');
  });

  it("a field removed from git since the last apply (three-way)", () => {
    const before = deploymentObject("web", { annotations: { team: "shop" } });
    const live = { ...asLive(before), lastApplied: before };
    const diff = diffObject(deploymentObject("web"), live);
    expect(diff.changes).toEqual([{ path: "metadata.annotations.team", live: "shop", desired: undefined }]);
  });

  it("reads the last-applied-configuration annotation when the runtime keeps no copy", () => {
    const before = deploymentObject("web", { annotations: { team: "shop" } });
    const live = asLive(before, undefined, (o) => {
      (metadata(o).annotations as JsonObject)["kubectl.kubernetes.io/last-applied-configuration"] = JSON.stringify(before);
    });
    expect(diffObject(deploymentObject("web"), live).status).toBe("OutOfSync");
  });

  it("Secret stringData compares against base64 data", () => {
    const desired = simpleObject("Secret", "s", undefined, { stringData: { password: "hunter2" } });
    const live = asLive(simpleObject("Secret", "s", undefined, { data: { password: Buffer.from("hunter2").toString("base64") } }));
    expect(diffObject(desired, live).status).toBe("Synced");
    const changed = asLive(simpleObject("Secret", "s", undefined, { data: { password: Buffer.from("old").toString("base64") } }));
    expect(diffObject(desired, changed).changes.map((c) => c.path)).toEqual(["data.password"]);
  });

  it("Service targetPort defaults to port", () => {
    const desired = simpleObject("Service", "web", undefined, { spec: { ports: [{ port: 80 }] } });
    expect(diffObject(desired, asLive(desired, undefined, (o) => { spec(o).ports = [{ port: 80, targetPort: 80, protocol: "TCP" }]; })).status).toBe("Synced");
    expect(diffObject(desired, asLive(desired, undefined, (o) => { spec(o).ports = [{ port: 80, targetPort: 8080, protocol: "TCP" }]; })).status).toBe("OutOfSync");
  });
});

describe("diffObjects over an application", () => {
  it("reports missing, extraneous and synced objects, skipping hooks", () => {
    const desired = [deploymentObject("web"), simpleObject("ConfigMap", "cfg"), simpleObject("Job", "smoke", { "argocd.argoproj.io/hook": "PostSync" })];
    const live = [asLive(deploymentObject("web")), asLive(simpleObject("Service", "old")), asLive(simpleObject("Job", "smoke-old", { "argocd.argoproj.io/hook": "PostSync" })), asLive(simpleObject("ConfigMap", "kept", { "argocd.argoproj.io/compare-options": "IgnoreExtraneous" }))];
    const diffs = diffObjects(desired, live);
    expect(diffs.map((d) => [d.ref.kind, d.ref.name, d.status, d.reason])).toEqual([
      ["Deployment", "web", "Synced", "synced"],
      ["ConfigMap", "cfg", "OutOfSync", "missing"],
      ["Service", "old", "OutOfSync", "extraneous"],
    ]);
    expect(overallSyncStatus(diffs)).toBe("OutOfSync");
    expect(formatObjectDiff(diffs[1])).toBe("ConfigMap dev/cfg: OutOfSync (missing from the runtime)");
    expect(formatObjectDiff(diffs[2])).toBe("Service dev/old: OutOfSync (not in git: requires pruning)");
    expect(overallSyncStatus([diffs[0]])).toBe("Synced");
  });
});
