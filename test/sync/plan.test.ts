import { describe, expect, it } from "vitest";
import { isSlipwayError } from "../../src/core/errors";
import { planSync, type KubeObject, type SyncPlan } from "../../src/sync";
import { asLive, deploymentObject, simpleObject } from "./objects";

const wave = (n: number) => ({ "argocd.argoproj.io/sync-wave": String(n) });
const hook = (type: string, policy?: string) => ({ "argocd.argoproj.io/hook": type, ...(policy ? { "argocd.argoproj.io/hook-delete-policy": policy } : {}) });

/** `Sync 0: Namespace/dev ConfigMap/cfg` — one line per wave. */
function outline(plan: SyncPlan): string[] {
  return plan.waves.map((w) => `${w.phase} ${w.wave}: ${w.steps.map((s) => `${s.ref.kind}/${s.ref.name}`).join(" ")}`);
}

describe("planSync ordering", () => {
  const cases: [string, KubeObject[], string[]][] = [
    [
      "kinds within one wave: Namespace, Secret, ConfigMap, Service, Deployment, Job, Ingress",
      [simpleObject("Ingress", "web"), simpleObject("Job", "seed"), deploymentObject("web"), simpleObject("Service", "web"), simpleObject("ConfigMap", "cfg"), simpleObject("Secret", "sec"), simpleObject("Namespace", "dev")],
      ["Sync 0: Namespace/dev Secret/sec ConfigMap/cfg Service/web Deployment/web Job/seed Ingress/web"],
    ],
    [
      "waves before kinds, negative waves first",
      [simpleObject("Namespace", "dev", wave(1)), simpleObject("ConfigMap", "late", wave(5)), deploymentObject("db", { annotations: wave(-1) }), simpleObject("Service", "web")],
      ["Sync -1: Deployment/db", "Sync 0: Service/web", "Sync 1: Namespace/dev", "Sync 5: ConfigMap/late"],
    ],
    [
      "names break ties",
      [simpleObject("ConfigMap", "b"), simpleObject("ConfigMap", "a"), simpleObject("ConfigMap", "c")],
      ["Sync 0: ConfigMap/a ConfigMap/b ConfigMap/c"],
    ],
    [
      "unknown kinds go last",
      [simpleObject("Application", "child"), simpleObject("Ingress", "web")],
      ["Sync 0: Ingress/web Application/child"],
    ],
    [
      "hooks in their phases, by wave",
      [
        simpleObject("Job", "smoke", hook("PostSync")),
        simpleObject("Job", "migrate", { ...hook("PreSync"), ...wave(2) }),
        simpleObject("Job", "backup", hook("PreSync")),
        deploymentObject("web"),
        simpleObject("Job", "notify", hook("Sync")),
      ],
      ["PreSync 0: Job/backup", "PreSync 2: Job/migrate", "Sync 0: Deployment/web Job/notify", "PostSync 0: Job/smoke"],
    ],
    [
      "a hook in two phases runs in both",
      [simpleObject("Job", "check", hook("PreSync,PostSync"))],
      ["PreSync 0: Job/check", "PostSync 0: Job/check"],
    ],
    ["nothing desired", [], []],
  ];
  it.each(cases)("%s", (_name, desired, expected) => {
    expect(outline(planSync(desired, [], { prune: false }))).toEqual(expected);
  });
});

describe("planSync actions and hooks", () => {
  it("marks create, update and unchanged from the diff", () => {
    const live = [asLive(deploymentObject("web", { image: "shop/web:v1" })), asLive(simpleObject("ConfigMap", "cfg"))];
    const plan = planSync([deploymentObject("web", { image: "shop/web:v2" }), simpleObject("ConfigMap", "cfg"), simpleObject("Service", "web")], live, { prune: false });
    expect(plan.waves[0].steps.map((s) => `${s.ref.name}:${s.action}`)).toEqual(["cfg:unchanged", "web:create", "web:update"]);
    expect(plan.waves[0].steps[2].diff?.changes.map((c) => c.path)).toEqual(["spec.template.spec.containers[0].image"]);
    expect(plan.outOfSync).toBe(true);
  });

  it("is in sync when nothing changes, even with hooks", () => {
    const desired = [deploymentObject("web"), simpleObject("Job", "smoke", hook("PostSync"))];
    const plan = planSync(desired, [asLive(deploymentObject("web"))], { prune: true });
    expect(plan.outOfSync).toBe(false);
    expect(plan.waves.map((w) => w.steps.map((s) => s.action))).toEqual([["unchanged"], ["hook"]]);
  });

  it("keeps SyncFail hooks aside and skips Skip", () => {
    const plan = planSync([simpleObject("Job", "page-oncall", hook("SyncFail", "HookSucceeded,HookFailed")), simpleObject("ConfigMap", "ignored", hook("Skip")), simpleObject("ConfigMap", "cfg")], [], { prune: false });
    expect(outline(plan)).toEqual(["Sync 0: ConfigMap/cfg"]);
    expect(plan.syncFail.map((w) => [w.phase, w.steps[0].ref.name, w.steps[0].hook?.deletePolicies])).toEqual([["SyncFail", "page-oncall", ["HookSucceeded", "HookFailed"]]]);
    expect(plan.skipped).toEqual([{ kind: "ConfigMap", namespace: "dev", name: "ignored" }]);
  });

  it("defaults the hook delete policy to BeforeHookCreation", () => {
    const plan = planSync([simpleObject("Job", "smoke", hook("PostSync"))], [], { prune: false });
    expect(plan.waves[0].steps[0].hook).toEqual({ types: ["PostSync"], deletePolicies: ["BeforeHookCreation"] });
  });

  const invalid: [string, Record<string, string>, string][] = [
    ["a wave that is not an integer", wave(1.5), 'Deployment dev/web: annotation argocd.argoproj.io/sync-wave "1.5" must be an integer'],
    ["an unknown hook", hook("PreDelete"), 'Deployment dev/web: hook "PreDelete" is not supported (supported: PreSync, Sync, PostSync, SyncFail, Skip)'],
    ["an unknown delete policy", hook("PostSync", "Never"), 'Deployment dev/web: hook-delete-policy "Never" is not one of HookSucceeded, HookFailed, BeforeHookCreation'],
  ];
  it.each(invalid)("rejects %s", (_name, annotations, message) => {
    try {
      planSync([deploymentObject("web", { annotations })], [], { prune: false });
      expect.unreachable();
    } catch (error) {
      if (!isSlipwayError(error)) throw error;
      expect([error.code, error.message]).toEqual(["MANIFEST_INVALID", message]);
    }
  });
});

describe("planSync prune", () => {
  const live = [
    asLive(deploymentObject("old-web")),
    asLive(simpleObject("Service", "old-web")),
    asLive(simpleObject("ConfigMap", "old-cfg", wave(-1))),
    asLive(simpleObject("Ingress", "old-web", wave(3))),
    asLive(simpleObject("Namespace", "legacy")),
    asLive(simpleObject("Secret", "pinned", { "argocd.argoproj.io/sync-options": "Prune=false" })),
    asLive(simpleObject("Job", "smoke", hook("PostSync"))),
    asLive(deploymentObject("web")),
  ];
  const desired = [deploymentObject("web")];

  it("lists what left git in reverse order: higher waves, then later kinds first", () => {
    const plan = planSync(desired, live, { prune: true });
    expect(plan.prune.map((p) => `${p.ref.kind}/${p.ref.name}`)).toEqual(["Ingress/old-web", "Deployment/old-web", "Service/old-web", "Namespace/legacy", "ConfigMap/old-cfg"]);
    expect(plan.pruneSkipped.map((p) => p.ref.name)).toEqual(["pinned"]);
    expect(plan.outOfSync).toBe(true);
  });

  it("prunes nothing when prune is off, but still reports the objects as out of sync", () => {
    const plan = planSync(desired, live, { prune: false });
    expect(plan.prune).toEqual([]);
    expect(plan.pruneSkipped).toHaveLength(6);
    expect(plan.outOfSync).toBe(true);
  });

  it("never prunes hooks left from an earlier sync", () => {
    const plan = planSync([], [asLive(simpleObject("Job", "smoke", hook("PostSync")))], { prune: true });
    expect([plan.prune, plan.outOfSync]).toEqual([[], false]);
  });
});
