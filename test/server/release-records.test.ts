/** Release tags pushed to the server become release records (the `slipway/release` action and `slipway release` both push them). */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseTagParts } from "../../src/server/services/release-recorder";
import type { ReleaseRecord } from "../../src/store/release-repository";
import { startTestServer, waitUntil, type TestServer } from "../support/server";

describe("releaseTagParts", () => {
  it.each([
    ["v1.2.3", { service: "", version: "1.2.3" }],
    ["auth/v0.1.0-rc.1", { service: "auth", version: "0.1.0-rc.1" }],
    ["services/api/v2.0.0", { service: "services/api", version: "2.0.0" }],
    ["v1.2", undefined],
    ["latest", undefined],
    ["auth/1.2.3", undefined],
    ["release-v1.2.3", undefined],
  ])("%s", (tag, expected) => expect(releaseTagParts(tag)).toEqual(expected));
});

describe("release records from pushed tags", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  }, 60_000);
  afterAll(async () => server?.stop());

  it("records annotated release tags once, with the changelog, previous version and bump; ignores other tags", async () => {
    const repo = await server.createRepo("team/shop");
    const copy = await server.workingCopy(repo.name, server.admin.token);
    const first = await copy.commit("feat(auth): login", { "auth/index.js": "1" });
    await copy.ok("tag", "-a", "auth/v1.0.0", "-m", "## 1.0.0\n\n### Features\n\n* login");
    await copy.ok("tag", "not-a-release");
    await copy.ok("push", "-q", "origin", "main", "--tags");
    const second = await copy.commit("feat(auth): two-factor authentication", { "auth/index.js": "2" });
    await copy.ok("tag", "-a", "auth/v1.1.0", "-m", "## 1.1.0\n\n### Features\n\n* two-factor authentication");
    await copy.ok("push", "-q", "origin", "main", "auth/v1.1.0");

    const releases = await waitUntil("two release records", async () => {
      const response = await server.admin.api<ReleaseRecord[]>("GET", `/repos/${repo.name}/releases`);
      if (!Array.isArray(response.body)) throw new Error(`releases: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.length === 2 ? response.body : undefined;
    });
    expect(releases.map((r) => [r.service, r.version, r.tag, r.sha, r.previousVersion, r.bump])).toEqual([
      ["auth", "1.1.0", "auth/v1.1.0", second, "1.0.0", "minor"],
      ["auth", "1.0.0", "auth/v1.0.0", first, null, "initial"],
    ]);
    expect(releases[0].changelog).toContain("two-factor authentication");

    // Pushing the same tag again (a mirror, a re-run) records nothing new.
    await copy.ok("push", "-q", "--force", "origin", "auth/v1.1.0");
    const events = await server.admin.api<{ events: { type: string; payload: { tag: string } }[] }>("GET", "/events?type=release.created");
    expect(events.body.events.map((e) => [e.type, e.payload.tag]).sort()).toEqual([["release.created", "auth/v1.0.0"], ["release.created", "auth/v1.1.0"]]);
    const again = await server.admin.api<ReleaseRecord[]>("GET", `/repos/${repo.name}/releases`);
    expect(again.body).toHaveLength(2);
  }, 60_000);
});
