/** Prerelease channels and monorepo histories (services under services/<name>, tags <service>/vX.Y.Z). */

import type { HistoryCase } from "./history-harness";

const services = { services: [{ path: "services/api" }, { path: "services/web" }, { path: "services/worker" }] };
const released = [{ tag: "api/v1.0.0" }, { tag: "web/v1.0.0" }, { tag: "worker/v1.0.0" }];

export const prereleaseCases: HistoryCase[] = [
  { name: "release/* branch → rc.1", steps: [{ tag: "v1.0.0" }, { branch: "release/1.1" }, "feat: a"], expect: { repo: "1.1.0-rc.1" }, changelog: { repo: ["## 1.1.0-rc.1"] } },
  { name: "next rc increases", steps: [{ tag: "v1.0.0" }, { branch: "release/1.1" }, "feat: a", { tag: "v1.1.0-rc.1" }, "fix: b"], expect: { repo: "1.1.0-rc.2" }, changelog: { repo: ["* b ("] }, notInChangelog: { repo: ["* a ("] } },
  {
    name: "rc numbers are never reused across branches",
    steps: [{ tag: "v1.0.0" }, { branch: "release/a" }, "feat: a", { tag: "v1.1.0-rc.1" }, "fix: a2", { tag: "v1.1.0-rc.2" }, { branch: "main" }, { branch: "release/b" }, "feat: b"],
    expect: { repo: "1.1.0-rc.3" },
  },
  { name: "breaking on a release branch → major rc", steps: [{ tag: "v1.0.0" }, { branch: "release/2" }, "feat!: new API"], expect: { repo: "2.0.0-rc.1" } },
  { name: "forced channel on main", steps: [{ tag: "v1.0.0" }, "feat: a"], options: { prerelease: "beta" }, expect: { repo: "1.1.0-beta.1" } },
  { name: "rc already at HEAD → no release", steps: [{ tag: "v1.0.0" }, { branch: "release/1.1" }, "feat: a", { tag: "v1.1.0-rc.1" }], expect: { repo: null } },
  { name: "only a chore since the rc → no release", steps: [{ tag: "v1.0.0" }, { branch: "release/1.1" }, "feat: a", { tag: "v1.1.0-rc.1" }, "chore: b"], expect: { repo: null } },
  {
    name: "stable on main after an rc was merged: rc ignored, changelog since the stable tag",
    steps: [{ tag: "v1.0.0" }, { branch: "release/1.1" }, "feat: a", { tag: "v1.1.0-rc.1" }, { branch: "main" }, { merge: "release/1.1" }],
    expect: { repo: "1.1.0" },
    changelog: { repo: ["* a ("] },
  },
  { name: "first release on a channel", steps: [{ branch: "release/1.0" }, "feat: a"], expect: { repo: "1.0.0-rc.1" } },
  { name: "custom channel pattern", config: { prerelease: { "next": "next" } }, steps: [{ tag: "v1.0.0" }, { branch: "next" }, "fix: a"], expect: { repo: "1.0.1-next.1" } },
];

export const monorepoCases: HistoryCase[] = [
  { name: "feat in api only", config: services, steps: [...released, { commit: "feat(api): orders", in: ["api"] }], expect: { api: "1.1.0", web: null, worker: null }, tags: { api: "api/v1.1.0" }, changelog: { api: ["* **api:** orders ("] } },
  { name: "one fix touching two services", config: services, steps: [...released, { commit: "fix: shared header", in: ["api", "web"] }], expect: { api: "1.0.1", web: "1.0.1", worker: null } },
  {
    name: "first releases: feat, fix, chore",
    config: services,
    steps: [{ commit: "feat: api", in: ["api"] }, { commit: "fix: web", in: ["web"] }, { commit: "chore: worker", in: ["worker"] }],
    expect: { api: "1.0.0", web: "1.0.0", worker: null },
  },
  {
    name: "per-service firstVersion",
    config: { services: [{ path: "services/api" }, { path: "services/worker", firstVersion: "0.1.0" }] },
    steps: [{ commit: "feat: both", in: ["api", "worker"] }],
    expect: { api: "1.0.0", worker: "0.1.0" },
  },
  { name: "root-only change releases nothing", config: services, steps: [...released, { commit: "fix: readme typo", files: ["README.md"] }], expect: { api: null, web: null, worker: null } },
  {
    name: "each service counts from its own tag",
    config: services,
    steps: [{ tag: "web/v1.0.0" }, { commit: "feat: web thing", in: ["web"] }, { commit: "feat: api thing", in: ["api"] }, { tag: "api/v1.2.0" }, { commit: "fix: api fix", in: ["api"] }, { commit: "fix: web fix", in: ["web"] }],
    expect: { api: "1.2.1", web: "1.1.0", worker: null },
    changelog: { web: ["* web thing (", "* web fix ("] },
    notInChangelog: { api: ["api thing"] },
  },
  { name: "breaking in web only", config: services, steps: [...released, { commit: "feat(web)!: new routes", in: ["web"] }, { commit: "fix: api", in: ["api"] }], expect: { api: "1.0.1", web: "2.0.0", worker: null } },
  {
    name: "services/* auto-detected",
    config: { services: [{ path: "services/*" }] },
    steps: [{ commit: "feat: a", in: ["api"] }, { commit: "feat: b", in: ["billing"] }, { commit: "chore: c", in: ["web"] }],
    expect: { api: "1.0.0", billing: "1.0.0", web: null },
    tags: { api: "api/v1.0.0", billing: "billing/v1.0.0" },
  },
  { name: "custom tagPrefix", config: { services: [{ path: "services/api", tagPrefix: "api-v" }, { path: "services/web" }] }, steps: [{ tag: "api-v1.0.0" }, { commit: "feat: a", in: ["api"] }], expect: { api: "1.1.0", web: null }, tags: { api: "api-v1.1.0" } },
  { name: "monorepo prerelease", config: services, steps: [...released, { branch: "release/next" }, { commit: "feat: a", in: ["api"] }], expect: { api: "1.1.0-rc.1", web: null, worker: null }, tags: { api: "api/v1.1.0-rc.1" } },
  { name: "revert inside one service", config: services, steps: [...released, { commit: "feat: try", in: ["api"], id: "f" }, { revert: "f", in: ["api"] }], expect: { api: null, web: null, worker: null } },
  {
    name: "a move out of a service counts for it",
    config: services,
    steps: [{ commit: "chore: seed", files: ["services/api/util.js"] }, ...released, { move: ["services/api/util.js", "shared/util.js"], commit: "fix: share util" }],
    expect: { api: "1.0.1", web: null, worker: null },
  },
  {
    name: "path prefix is a directory boundary (api vs api-gateway)",
    config: { services: [{ path: "services/api" }, { path: "services/api-gateway" }] },
    steps: [{ tag: "api/v1.0.0" }, { tag: "api-gateway/v1.0.0" }, { commit: "feat: gw", in: ["api-gateway"] }],
    expect: { api: null, "api-gateway": "1.1.0" },
  },
  {
    name: "release section in .slipway/config.yml",
    yaml: "release:\n  services:\n    - path: services/api\n    - path: services/web\n      firstVersion: 0.1.0\n",
    steps: [{ commit: "feat: a", in: ["api", "web"] }],
    expect: { api: "1.0.0", web: "0.1.0" },
  },
  { name: "--service filter", config: services, options: { services: ["web"] }, steps: [...released, { commit: "feat: a", in: ["api", "web"] }], expect: { web: "1.1.0" } },
  { name: "unknown service → usage error", config: services, options: { services: ["nope"] }, steps: [{ commit: "feat: a", in: ["api"] }], expect: { error: /Unknown service 'nope'/ } },
];
