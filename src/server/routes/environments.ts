/**
 * /api/v1/environments: what runs where — services × environments from the Applications of env repos
 * (environment = envs/<env>/ of the app's path, else its namespace). Promotion goes through /api/v1/approvals.
 */

import type { FastifyPluginAsync } from "fastify";
import { parseServiceDirectory } from "../../gitops/env-repo";
import { parseImageReference } from "../../gitops/image-reference";
import type { UserRecord } from "../../store";
import { requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";
import type { FoundApp } from "../services/delivery";
import { environmentBoardSchema } from "./openapi-schemas";

export interface EnvironmentCell {
  environment: string;
  service: string;
  app: string;
  repo: string;
  /** The tag the ready replicas run (most of them, during a rollout). */
  version: string | null;
  images: string[];
  health: string;
  sync: string;
  operation: string;
  syncedRevision: string | null;
  targetRevision: string | null;
  lastSyncAt: string | null;
  lastResult: string | null;
  ingressUrl: string | null;
}

const knownOrder = ["dev", "development", "test", "qa", "staging", "stage", "preprod", "prod", "production"];

/** dev → staging → prod first, then the rest alphabetically. */
export function orderEnvironments(names: Iterable<string>): string[] {
  const rank = (name: string) => (knownOrder.includes(name) ? knownOrder.indexOf(name) : knownOrder.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function environmentRoutes(context: ServerContext): FastifyPluginAsync {
  const { store, delivery } = context;
  const visible = (found: FoundApp, user: UserRecord | undefined) => requireRepoRole(store, found.repo, user, "viewer").then(() => true, () => false);

  const cellOf = (found: FoundApp): EnvironmentCell => {
    const summary = delivery.summary(found);
    const place = parseServiceDirectory(summary.path);
    const replicas = delivery.replicas(found);
    const images = [...new Set(replicas.map((replica) => replica.image))].sort();
    const running = mostCommon(replicas.filter((replica) => replica.ready).map((replica) => replica.image)) ?? images[0];
    return {
      environment: place?.env ?? summary.namespace,
      service: place?.service ?? summary.name,
      app: summary.name,
      repo: summary.repo,
      version: running ? parseImageReference(running).tag ?? null : null,
      images,
      health: summary.health,
      sync: summary.sync,
      operation: summary.operation,
      syncedRevision: summary.syncedRevision ?? null,
      targetRevision: summary.targetRevision ?? null,
      lastSyncAt: summary.lastSync?.finishedAt ?? summary.lastSync?.startedAt ?? null,
      lastResult: summary.lastSync?.result ?? null,
      ingressUrl: summary.ingressUrl ?? null,
    };
  };

  const board = async (user: UserRecord | undefined): Promise<EnvironmentCell[]> => {
    const cells: EnvironmentCell[] = [];
    for (const found of delivery.applications()) if (await visible(found, user)) cells.push(cellOf(found));
    return cells;
  };

  return async (app) => {
    app.get("/environments", { schema: { summary: "Services × environments: version, health and sync state of each cell", tags: ["environments"], response: { 200: environmentBoardSchema } } }, async (request) => {
      const cells = await board(request.user);
      return {
        environments: orderEnvironments(cells.map((cell) => cell.environment)),
        services: [...new Set(cells.map((cell) => cell.service))].sort(),
        cells: cells.sort((a, b) => a.service.localeCompare(b.service) || a.environment.localeCompare(b.environment)),
      };
    });
  };
}
