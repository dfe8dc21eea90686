import { it } from "vitest";
import { startTestServer } from "../support/server";
import { application, deployment, pushWebImages } from "./support/delivery-fixture";
it("scratch", async () => {
  const logs: string[] = [];
  const t = await startTestServer({ delivery: { resyncMs: 0, driftCheckMs: 0 }, log: (m) => logs.push(m) });
  try {
    const host = new URL(t.url).host;
    const dev = await t.createUser("dev");
    await t.createRepo("acme/deploy", { members: { dev: "developer" } });
    await t.createRepo("acme/shop", { members: { dev: "developer" } });
    await pushWebImages(host, "admin", t.admin.token, "acme/shop/web", [{ version: "1.0.0" }]);
    const env = await t.workingCopy("acme/deploy", dev.token, "deploy");
    await env.commit("web", { "apps/web-dev.yaml": application("dev"), "envs/dev/web/deployment.yaml": deployment(`${host}/acme/shop/web:v1.0.0`) });
    await env.ok("push", "-q", "origin", "HEAD:main");
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const apps = await t.admin.api("GET", "/apps/web-dev");
      console.log(JSON.stringify((apps.body as {lastSync?: unknown}).lastSync));
      const r = await t.admin.api("GET", "/apps/web-dev/replicas"); console.log(JSON.stringify(r.body).slice(0, 400));
      if ((apps.body as {health?: string}).health === "Healthy") break;
    }
    console.log(logs.join("\n"));
  } finally { await t.stop(); }
}, 120_000);
