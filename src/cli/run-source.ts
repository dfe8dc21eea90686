/** Where `slipway runs` and `slipway logs` read runs: the local repository's store, or the server at SLIPWAY_URL. */

import type { LogChunk, RunRecord, RunWithJobs } from "../store";
import { configuredServer } from "./api-client";
import { localContext, openLocalStore } from "./local-context";

export interface RunSource {
  listRuns(query: { limit: number; workflowFile?: string }): Promise<RunRecord[]>;
  getRun(id: number): Promise<RunWithJobs | undefined>;
  readLogs(runId: number, jobId: number, afterSeq: number, limit: number): Promise<LogChunk[]>;
  close(): Promise<void>;
}

export async function openRunSource(flags: { repo?: string; data?: string }): Promise<RunSource> {
  const server = configuredServer();
  if (server) {
    return {
      listRuns: ({ limit }) => server.request<RunRecord[]>("GET", `/runs?limit=${limit}`),
      getRun: async (id) => {
        try {
          return await server.request<RunWithJobs>("GET", `/runs/${id}`);
        } catch (error) {
          if ((error as { code?: string }).code === "RUN_NOT_FOUND") return undefined;
          throw error;
        }
      },
      readLogs: (runId, jobId, afterSeq, limit) => server.request<LogChunk[]>("GET", `/runs/${runId}/jobs/${jobId}/logs?after=${afterSeq}&limit=${limit}`),
      close: async () => undefined,
    };
  }
  const context = await localContext(flags);
  const store = await openLocalStore(context.dataDir);
  return {
    listRuns: (query) => store.runs.listRuns(query),
    getRun: (id) => store.runs.getRun(id),
    readLogs: (_runId, jobId, afterSeq, limit) => store.logs.read(jobId, { afterSeq, limit }),
    close: () => store.close(),
  };
}
