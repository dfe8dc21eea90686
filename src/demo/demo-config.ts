/** The demo's fixed names (users, repositories, environments, ports) and where its example repositories live in the checkout. */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SlipwayError } from "../core/errors";

export const demoOwner = "demo";
export const shopRepo = `${demoOwner}/shop`;
export const deployRepo = `${demoOwner}/shop-deploy`;
export const shopServices = ["gateway", "auth", "catalog", "orders", "web"] as const;
export const environments = ["dev", "staging", "prod"] as const;
export type Environment = (typeof environments)[number];
/** Where the demo's Applications run (`slipway up --demo --runtime`): host processes or Docker containers. */
export type DemoRuntime = "local" | "docker";
export const defaultIngressPorts: Record<Environment, number> = { dev: 8080, staging: 8081, prod: 8082 };

/** The demo's people: the author of changes (a site admin), a reviewer with write access, and the CI bot whose token the workflows use. */
export const demoUsers = { author: "demo", reviewer: "reviewer", ci: "ci" } as const;
/** The host:port the example manifests and Applications name; replaced by the server's own when they differ. */
export const exampleRegistryHost = "127.0.0.1:7700";
/** The workflow secret holding the CI bot's token (registry pushes, env-repo pushes, API reads). */
export const registryTokenSecret = "REGISTRY_TOKEN";

/** Required checks of main in demo/shop: every CI job. */
export const requiredChecks = ["lint", "dependency and secret scan", ...shopServices.map((s) => `test (${s})`), ...shopServices.map((s) => `image (${s})`)];

/** The checkout holding examples/shop and scripts/: found upwards from this module (src/demo or dist/chunks). */
export function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    if (existsSync(join(dir, "examples", "shop", "package.json")) && existsSync(join(dir, "scripts", "node-base-image.sh"))) return dir;
    dir = dirname(dir);
  }
  throw new SlipwayError("NOT_FOUND", "The demo needs the slipway checkout (examples/shop, examples/shop-deploy, scripts/): it was not found above this installation.", { hint: "Run the demo from a clone of the slipway repository: node bin/slipway.js up --demo" });
}

/** `<data>/demo`: the users' tokens and the demo's working copies. */
export function demoDir(dataDir: string): string {
  return join(dataDir, "demo");
}
