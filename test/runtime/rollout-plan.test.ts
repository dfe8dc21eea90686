/** Table-driven checks of the rollout planner and of the ingress rule matcher (pure logic). */

import { describe, expect, it } from "vitest";
import { matchRoute, normalizeHost, prefixMatches } from "../../src/runtime/local/ingress-routes";
import { planRollout, resolveIntOrPercent, type PlannedReplica, type RolloutInput } from "../../src/runtime/local/rollout";
import type { IngressSpec } from "../../src/runtime/types";

/** "o+" old available, "o-" old unavailable, "n+"/"n-" new; later entries are younger. */
function replicas(codes: string): PlannedReplica[] {
  return codes
    .split(" ")
    .filter(Boolean)
    .map((code, index) => ({ name: `${code[0]}${index}`, revision: code[0] === "n" ? "new" : "old", available: code[1] === "+", createdAt: index }));
}

function plan(codes: string, overrides: Partial<RolloutInput> = {}) {
  return planRollout({ desired: 3, newRevision: "new", strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 0, current: replicas(codes), terminating: 0, ...overrides });
}

describe("planRollout", () => {
  it.each([
    ["fresh deployment", "", {}, { start: 3, retire: [] }],
    ["surge first", "o+ o+ o+", {}, { start: 1, retire: [] }],
    ["new not ready: wait", "o+ o+ o+ n-", {}, { start: 0, retire: [] }],
    ["new ready: retire one old", "o+ o+ o+ n+", {}, { start: 0, retire: ["o2"] }],
    ["after a retirement: surge again", "o+ o+ n+", {}, { start: 1, retire: [] }],
    ["unavailable old go first", "o+ o- o+ n+", {}, { start: 0, retire: ["o1"] }],
    ["maxUnavailable 1 drops an old replica at once", "o+ o+ o+", { maxUnavailable: 1 }, { start: 1, retire: ["o2"] }],
    ["broken new stalls, old stay", "o+ o+ o+ n-", { maxSurge: 1 }, { start: 0, retire: [] }],
    ["back to the old template: unready new leaves", "n+ n+ n+ o-", {}, { start: 0, retire: ["o3"] }],
    ["scale down: unready, then youngest", "n+ n- n+ n+", {}, { start: 0, retire: ["n1"] }],
    ["scale up", "n+", {}, { start: 2, retire: [] }],
    ["recreate stops old first", "o+ o+ o+", { strategy: "Recreate" as const }, { start: 0, retire: ["o0", "o1", "o2"] }],
    ["recreate waits for terminating", "", { strategy: "Recreate" as const, terminating: 2 }, { start: 0, retire: [] }],
  ])("%s", (_name, codes, overrides, expected) => {
    expect(plan(codes, overrides)).toEqual(expected);
  });

  it("resolves counts and percentages like Kubernetes", () => {
    expect(resolveIntOrPercent(undefined, 3, "25%", true)).toBe(1);
    expect(resolveIntOrPercent(undefined, 3, "25%", false)).toBe(0);
    expect(resolveIntOrPercent("50%", 5, "25%", true)).toBe(3);
    expect(resolveIntOrPercent(2, 5, "25%", false)).toBe(2);
  });
});

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const ingresses: IngressSpec[] = [
  {
    kind: "Ingress",
    name: "a",
    rules: [
      { host: "app.test", paths: [{ path: "/", pathType: "Prefix", backend: backend("root") }, { path: "/api/", pathType: "Prefix", backend: backend("api") }, { path: "/api/v2", pathType: "Prefix", backend: backend("v2") }] },
      { host: "*.app.test", paths: [{ path: "/", pathType: "Prefix", backend: backend("wild") }] },
    ],
  },
  { kind: "Ingress", name: "b", rules: [{ paths: [{ path: "/healthz", pathType: "Exact", backend: backend("health") }] }], defaultBackend: backend("fallback") },
];

describe("matchRoute", () => {
  it.each([
    ["app.test", "/", "root"],
    ["app.test", "/api", "api"],
    ["app.test", "/api/v2/users?x=1", "v2"],
    ["app.test", "/api/v20", "api"],
    ["x.app.test", "/api", "wild"],
    ["y.x.app.test", "/healthz", "health"],
    ["other.test", "/healthz/", "fallback"],
    ["", "/anything", "fallback"],
  ])("%s %s → %s", (host, path, service) => {
    expect(matchRoute(ingresses, host, path)?.backend.service.name).toBe(service);
  });

  it("has no match without a default backend", () => {
    expect(matchRoute(ingresses.slice(0, 1), "other.test", "/")).toBeUndefined();
  });

  it("normalizes hosts and matches prefixes per path element", () => {
    expect(normalizeHost("App.Test:8080")).toBe("app.test");
    expect(normalizeHost("[::1]:80")).toBe("[::1]");
    expect(prefixMatches("/foo/", "/foo")).toBe(true);
    expect(prefixMatches("/foo", "/foobar")).toBe(false);
  });
});
