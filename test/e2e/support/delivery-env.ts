/** End-to-end delivery fixtures: the web images built by slipway's builder (on the Node base image) and pushed to a server's registry, the env repo's manifests for a runtime, and autocannon load with per-version counts. */

import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildImage } from "../../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../../src/oci/client/image-transfer";
import { RegistryClient } from "../../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../../src/oci/image-import";
import { OciStore } from "../../../src/oci/oci-store";
import { webApplicationYaml, webDeploymentYaml } from "../../support/delivery-manifests";

const imageContext = fileURLToPath(new URL("../fixtures/web-image", import.meta.url));
const nodeBaseScript = fileURLToPath(new URL("../../../scripts/node-base-image.sh", import.meta.url));

/** Imports `node-base:20` (the host's node and its libraries, by scripts/node-base-image.sh) into the builder's store at `storeDir`. */
export async function importNodeBase(storeDir: string): Promise<void> {
  const rootfs = await mkdtemp(join(tmpdir(), "slipway-e2e-node-base-"));
  try {
    execFileSync("bash", [nodeBaseScript, join(rootfs, "root")], { stdio: "ignore" });
    await importRootFilesystem(await OciStore.open(storeDir), { source: join(rootfs, "root"), tag: "node-base:20", sourceDateEpoch: 1 });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/**
 * Builds web:vVERSION from test/e2e/fixtures/web-image with slipway's daemonless builder (on `base`: node-base:20 after
 * importNodeBase makes an image that runs; scratch one that only moves through registries) and pushes it to the
 * server's registry as `repository` under `tags` (default vVERSION). The image's Entrypoint runs the service; its Env
 * says what it answers (VERSION), whether it ever gets ready (BROKEN=1) and how late it listens (START_DELAY_MS).
 */
export async function buildAndPushWebImage(server: { host: string; token: string }, storeDir: string, repository: string, version: string, env: Record<string, string>, tags = [`v${version}`], base = "scratch"): Promise<string> {
  const store = await OciStore.open(storeDir);
  const tag = `v${version}`;
  await buildImage(store, { contextDir: imageContext, tag: `web:${tag}`, base, entrypoint: ["node", "/app/server.mjs"], env, version, sourceDateEpoch: 1 });
  const client = new RegistryClient({ registry: server.host, credentials: { username: "admin", password: server.token } });
  const pushed = await pushImageFromStore(store, "web", tag, client, repository, tags);
  return pushed.digest;
}

/** The web Application with `destination` (its runtime by `name: RUNTIME`, or the server's --runtime for `server: …`). */
export const webApplication = (destination: string): string => webApplicationYaml({ name: "web", repo: "acme/deploy", env: "dev", destination });

/** The web Deployment at `image`, run as the image says (no command): 3 replicas, surge 1, never below 3 ready; `marker` in every replica's env finds its processes. */
export function webDeployment(image: string, marker: string, progressDeadlineSeconds: number): string {
  return webDeploymentYaml({
    header: "# The web service in dev (image written by slipway promote).",
    image: `${image} # promoted by slipway`,
    replicas: 3,
    progressDeadlineSeconds,
    terminationGracePeriodSeconds: 5,
    rollingUpdate: "typed",
    env: { E2E_MARKER: marker },
    readiness: { timeoutSeconds: 2, failureThreshold: 2 },
  });
}

export { webIngressYaml as webIngress, webServiceYaml as webService } from "../../support/delivery-manifests";

export interface LoadSummary {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** 2xx responses by the version in their body. */
  versions: Record<string, number>;
  /** The first few non-2xx bodies, for the failure message. */
  failures: string[];
}

/** Constant autocannon traffic until stop(): `connections` keep-alive connections sending `rate` requests a second in all (a fixed rate, so a loaded machine is not saturated by the load itself). */
export function startAutocannon(url: string, connections: number, rate: number): { stop(): Promise<LoadSummary> } {
  const versions: Record<string, number> = {};
  const failures: string[] = [];
  let finished: (result: autocannon.Result) => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url,
      connections,
      overallRate: rate,
      duration: 600,
      timeout: 10,
      requests: [
        {
          method: "GET",
          path: "/",
          onResponse: (status: number, body: string) => {
            if (status >= 200 && status < 300) {
              const version = body.split(" ")[0] ?? "";
              versions[version] = (versions[version] ?? 0) + 1;
            } else if (failures.length < 10) failures.push(`${status}: ${body.trim()}`);
          },
        },
      ],
    },
    (error, result) => (error ? failed(error) : finished(result)),
  );
  return {
    async stop() {
      instance.stop();
      const result = await done;
      return {
        requests: result.requests.total,
        ok: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        versions,
        failures,
      };
    },
  };
}

export function describeLoad(phase: string, load: LoadSummary): string {
  return `${phase}: ${load.requests} requests (${load.ok} 2xx, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts), latency p50 ${load.p50} ms p90 ${load.p90} ms p99 ${load.p99} ms max ${load.max} ms, by version ${JSON.stringify(load.versions)}`;
}
