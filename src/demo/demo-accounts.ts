/** The demo's users, tokens, repositories, roles and branch protection, made through the API: idempotent, tokens kept in <data>/demo/<user>.token. */

import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { apiClient, type ApiClient } from "../cli/api-client";
import { demoUsers, deployRepo, requiredChecks, shopRepo } from "./demo-config";

export interface DemoUser {
  name: string;
  token: string;
  tokenPath: string;
  api: ApiClient;
}

export interface DemoAccounts {
  author: DemoUser;
  reviewer: DemoUser;
  ci: DemoUser;
  /** Whether staging and prod are protected (one approval by someone other than the requester); false when the server has no approvals. */
  protectedEnvironments: boolean;
}

async function ensureUser(admin: ApiClient, name: string, isAdmin: boolean): Promise<void> {
  const users = await admin.request<{ name: string }[]>("GET", "/users");
  if (!users.some((user) => user.name === name)) await admin.request("POST", "/users", { name, admin: isAdmin });
}

/** The token in <dir>/<name>.token while the server still accepts it, else a new one written there (0600). */
async function tokenFor(admin: ApiClient, dir: string, name: string): Promise<{ token: string; path: string }> {
  const path = join(dir, `${name}.token`);
  const saved = (await readFile(path, "utf8").catch(() => "")).trim();
  if (saved) {
    const who = await apiClient(admin.url, saved).request<{ name: string }>("GET", "/user").catch(() => undefined);
    if (who?.name === name) return { token: saved, path };
  }
  const issued = await admin.request<{ token: string }>("POST", `/users/${name}/tokens`, { name: "demo" });
  await writeFile(path, `${issued.token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return { token: issued.token, path };
}

async function ensureRepo(admin: ApiClient, name: string, branchPatterns: string[]): Promise<void> {
  const [owner, repo] = name.split("/");
  const exists = await admin.request("GET", `/repos/${owner}/${repo}`).then(() => true, () => false);
  if (!exists) await admin.request("POST", "/repos", { name, public: true, branchPatterns });
}

/** Users demo (admin), reviewer and ci with tokens; demo/shop and demo/shop-deploy with their roles; main of demo/shop protected. */
export async function ensureAccounts(admin: ApiClient, dir: string): Promise<DemoAccounts> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await ensureUser(admin, demoUsers.author, true);
  await ensureUser(admin, demoUsers.reviewer, false);
  await ensureUser(admin, demoUsers.ci, false);
  await ensureRepo(admin, shopRepo, ["main", "feature/*", "bugfix/*", "release/*"]);
  await ensureRepo(admin, deployRepo, []);
  for (const repo of [shopRepo, deployRepo]) {
    for (const user of [demoUsers.reviewer, demoUsers.ci]) await admin.request("PUT", `/repos/${repo}/members/${user}`, { role: "developer" });
  }
  await admin.request("PUT", `/repos/${shopRepo}/branches/main/protection`, { requiredChecks, requiredApprovals: 1, requireUpToDate: false });
  let protectedEnvironments = true;
  for (const env of ["staging", "prod"]) {
    await admin.request("PUT", `/repos/${shopRepo}/environments/${env}`, { requiredReviewers: 1 }).catch(() => (protectedEnvironments = false));
  }
  const user = async (name: string): Promise<DemoUser> => {
    const { token, path } = await tokenFor(admin, dir, name);
    return { name, token, tokenPath: path, api: apiClient(admin.url, token) };
  };
  return { author: await user(demoUsers.author), reviewer: await user(demoUsers.reviewer), ci: await user(demoUsers.ci), protectedEnvironments };
}
