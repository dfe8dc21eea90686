/** Pushes the example repositories to the server as a readable history of conventional commits, and the Applications once images exist. */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DemoAccounts, DemoUser } from "./demo-accounts";
import { deployRepo, exampleRegistryHost, shopRepo, type DemoRuntime } from "./demo-config";
import { authenticatedUrl, DemoWorkingCopy, type GitPerson } from "./demo-git";

/** The shop's first commits: the layout and scripts, one feature per service, then the pipelines. */
export const shopHistory: { paths: string[]; message: string }[] = [
  { paths: ["package.json", "slipway.release.json", "README.md", "scripts"], message: "chore: shop monorepo with lint, coverage gate, scan and smoke scripts" },
  { paths: ["services/gateway"], message: "feat(gateway): API front door with the route table" },
  { paths: ["services/auth"], message: "feat(auth): sign-in with signed session tokens" },
  { paths: ["services/catalog"], message: "feat(catalog): product list and search" },
  { paths: ["services/orders"], message: "feat(orders): place and list orders" },
  { paths: ["services/web"], message: "feat(web): storefront page" },
  { paths: [".slipway"], message: "ci: CI on branches and pull requests, build on main, manual deploy" },
];

export const deployHistory: { paths: string[]; message: string }[] = [
  { paths: ["README.md", "envs/dev"], message: "feat(dev): the shop's manifests for dev" },
  { paths: ["envs/staging"], message: "feat(staging): the shop's manifests for staging, two replicas each" },
  { paths: ["envs/prod"], message: "feat(prod): the shop's manifests for prod, two replicas each" },
];
export const applicationsCommit = "feat(apps): Argo CD Applications for dev, staging and prod";

export function person(user: DemoUser): GitPerson {
  return { name: user.name, email: `${user.name}@demo.slipway.local` };
}

export interface SeedContext {
  url: string;
  /** host:port of the server (its registry). */
  registryHost: string;
  checkout: string;
  /** <data>/demo: the working copies go to <data>/demo/shop and <data>/demo/shop-deploy. */
  dir: string;
  accounts: DemoAccounts;
  /** The runtime the Applications name in destination.name (`slipway up --runtime`); default `local`, as the examples say. */
  runtime?: DemoRuntime;
}

export async function openCopy(context: SeedContext, repo: string, user: DemoUser, folder: string): Promise<DemoWorkingCopy> {
  return DemoWorkingCopy.open(join(context.dir, folder), authenticatedUrl(context.url, repo, user.token), person(user));
}

/** Manifests name the example's registry host; the server may listen elsewhere. */
function withRegistryHost(registryHost: string): (path: string, text: string) => string {
  return (_path, text) => text.split(exampleRegistryHost).join(registryHost);
}

async function pushHistory(copy: DemoWorkingCopy, source: string, history: { paths: string[]; message: string }[], transform?: (path: string, text: string) => string): Promise<string> {
  await copy.git("checkout", "--quiet", "-B", "main");
  for (const step of history) await copy.commitFrom(source, step.paths.filter((path) => existsSync(join(source, path))), step.message, transform);
  await copy.push("HEAD:refs/heads/main");
  return copy.head();
}

/** Pushes the env repo's manifests (without Applications: nothing syncs before the images exist). Undefined when it was there already. */
export async function seedDeployRepo(context: SeedContext): Promise<string | undefined> {
  const copy = await openCopy(context, deployRepo, context.accounts.author, "shop-deploy");
  if (await copy.remoteHas("main")) return undefined;
  return pushHistory(copy, join(context.checkout, "examples", "shop-deploy"), deployHistory, withRegistryHost(context.registryHost));
}

/** Pushes the shop's history to main (build.yml starts on it). Undefined when it was there already. */
export async function seedShopRepo(context: SeedContext): Promise<string | undefined> {
  const copy = await openCopy(context, shopRepo, context.accounts.author, "shop");
  if (await copy.remoteHas("main")) return undefined;
  return pushHistory(copy, join(context.checkout, "examples", "shop"), shopHistory);
}

/** The example Applications run on `local`; the demo's seed names the runtime the server was started with. */
export function onRuntime(runtime: DemoRuntime, text: string): string {
  return text.replace(/^(\s+destination:\n\s+name:\s*)local$/gm, `$1${runtime}`).replace("synced by slipway to its `local` runtime", `synced by slipway to its \`${runtime}\` runtime`);
}

/** Adds apps/*.yaml to the env repo: every environment starts syncing. Undefined when main has them already. */
export async function pushApplications(context: SeedContext): Promise<string | undefined> {
  const copy = await openCopy(context, deployRepo, context.accounts.author, "shop-deploy");
  await copy.git("checkout", "--quiet", "-B", "main", "origin/main");
  if ((await copy.git("ls-tree", "--name-only", "HEAD", "apps/")).trim() !== "") return undefined;
  const sha = await copy.commitFrom(join(context.checkout, "examples", "shop-deploy"), ["apps"], applicationsCommit, (path, text) => onRuntime(context.runtime ?? "local", withRegistryHost(context.registryHost)(path, text)));
  await copy.push("HEAD:refs/heads/main");
  return sha;
}
