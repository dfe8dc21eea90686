/** The demo's small parts: server-run secrets from SLIPWAY_SECRET_*, ingress ports that move off taken ones, the timeline's clock. */

import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseIngressPorts } from "../../src/demo/demo-up";
import { clock, renderStage, seconds } from "../../src/demo/story-timeline";
import { serverSecrets } from "../../src/server/services/run-dispatcher";

describe("server runs' secrets", () => {
  it("are the SLIPWAY_SECRET_<NAME> variables of the server's environment, empty ones left out", () => {
    expect(serverSecrets({ SLIPWAY_SECRET_REGISTRY_TOKEN: "t0k", SLIPWAY_SECRET_EMPTY: "", SLIPWAY_URL: "http://x", PATH: "/bin" })).toEqual({ REGISTRY_TOKEN: "t0k" });
  });
});

describe("demo ingress ports", () => {
  let holder: Server;
  let taken: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", () => resolve()));
    const address = holder.address();
    taken = typeof address === "object" && address ? address.port : 0;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it("keeps a free port asked for, replaces a taken one with a free one and says so", async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const { ports, moved } = await chooseIngressPorts({ dev: taken, staging: free });
    expect(ports.dev).not.toBe(taken);
    expect(ports.dev).toBeGreaterThan(0);
    expect(ports.staging).toBe(free);
    expect(moved).toEqual([`dev: ${taken} is taken, using ${ports.dev}`, ...(ports.prod === 8082 ? [] : [`prod: 8082 is taken, using ${ports.prod}`])]);
  });
});

describe("the timeline", () => {
  it("prints minutes:seconds since the commit and each stage's duration", () => {
    expect(clock(0)).toBe("00:00.0");
    expect(clock(61_250)).toBe("01:01.3");
    expect(seconds(21_600)).toBe("21.6 s");
    expect(renderStage({ stage: "dev", label: "Promote to dev", startMs: 18_700, durationMs: 1_700, ok: true, detail: "auth v1.1.0" })).toBe(`00:18.7  ✅ ${"Promote to dev".padEnd(44)}   1.7 s   auth v1.1.0`);
  });
});
