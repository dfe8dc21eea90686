/** GET /api/v1/namespaces/:namespace/logs: a Deployment's or replica's logs from the local runtime as NDJSON lines, followed while the client stays. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { LogLine, WorkloadRef } from "../../runtime/runtime";
import { requireRepoRole, requireUser } from "../access";
import type { ServerContext } from "../server-context";

type LogsParams = { namespace: string };
type LogsQuery = { target: string; follow?: boolean; tail?: number };

/** `deploy/NAME`, `deployment/NAME`, `job/NAME` or `pod/REPLICA`. */
export function parseLogTarget(target: string): { kind: "Deployment" | "Job" | "Pod"; name: string } {
  const match = /^(deploy|deployment|deployments|job|jobs|pod|pods)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(target);
  if (!match) throw new SlipwayError("REQUEST_INVALID", `'${target}' is not a log target: use deploy/NAME, job/NAME or pod/REPLICA`);
  const kind = match[1].startsWith("deploy") ? "Deployment" : match[1].startsWith("job") ? "Job" : "Pod";
  return { kind, name: match[2] };
}

export function workloadLogRoutes(context: ServerContext): FastifyPluginAsync {
  const { store, delivery } = context;
  return async (app) => {
    app.get<{ Params: LogsParams; Querystring: LogsQuery }>(
      "/namespaces/:namespace/logs",
      {
        schema: {
          params: { type: "object", properties: { namespace: { type: "string", minLength: 1 } } },
          querystring: {
            type: "object",
            required: ["target"],
            additionalProperties: false,
            properties: {
              target: { type: "string", description: "deploy/NAME, job/NAME or pod/REPLICA" },
              follow: { type: "boolean", description: "Keep the response open and send new lines as they are written." },
              tail: { type: "integer", minimum: 0, description: "Start from the last N lines of each replica." },
            },
          },
        },
      },
      async (request, reply) => {
        const user = requireUser(request.user);
        const { namespace } = request.params;
        const target = parseLogTarget(request.query.target);
        // The namespace is visible to whoever may view an Application deploying to it.
        let allowed = false;
        for (const found of delivery.applications().filter((candidate) => candidate.app.namespace === namespace)) {
          if (await requireRepoRole(store, found.repo, user, "viewer").then(() => true, () => false)) allowed = true;
        }
        const runtime = delivery.runtimeOfNamespace(namespace) ?? delivery.startedRuntime;
        if (!allowed || !runtime) throw new SlipwayError("NOT_FOUND", `There is no environment ${namespace} you can see.`);
        const live = runtime.snapshot(namespace);
        let workload: WorkloadRef;
        let replica: string | undefined;
        if (target.kind === "Pod") {
          const owner =
            live.deployments.find((deployment) => deployment.pods.some((pod) => pod.name === target.name)) ?? live.jobs.find((job) => job.pods.some((pod) => pod.name === target.name));
          if (!owner) throw new SlipwayError("NOT_FOUND", `There is no replica ${target.name} in ${namespace} (see \`slipway ps -n ${namespace}\`).`);
          workload = { kind: owner.spec.kind, name: owner.name };
          replica = target.name;
        } else {
          const exists = target.kind === "Deployment" ? live.deployments.some((d) => d.name === target.name) : live.jobs.some((j) => j.name === target.name);
          if (!exists) throw new SlipwayError("NOT_FOUND", `There is no ${target.kind} ${target.name} in ${namespace}.`);
          workload = { kind: target.kind, name: target.name };
        }
        const abort = new AbortController();
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
        raw.on("close", () => abort.abort());
        try {
          const lines = runtime.logs(namespace, workload, { follow: request.query.follow === true, tail: request.query.tail, replica, signal: abort.signal });
          for await (const line of lines as AsyncIterable<LogLine>) {
            if (abort.signal.aborted) break;
            raw.write(`${JSON.stringify(line)}\n`);
          }
        } finally {
          raw.end();
        }
      },
    );
  };
}
