/** In-process notifications of what the server does (runs, jobs, steps, pushes, app syncs): for SSE, tests and benchmarks. */

import { EventEmitter } from "node:events";

export type ServerEvent =
  | { type: "push.received"; repo: string; ref: string; after: string; pushId: number }
  | { type: "run.created"; repo: string; runId: number; workflow: string; sha: string }
  | { type: "run.completed"; repo: string; runId: number; conclusion: string }
  | { type: "job.updated"; repo: string; runId: number; job: string; status: string; conclusion?: string }
  | { type: "step.started"; repo: string; runId: number; job: string; step: number; name: string }
  | { type: "sync.succeeded" | "sync.failed"; repo: string; app: string; revision: string; result: string; message?: string }
  | { type: "rollback"; repo: string; app: string; failedRevision: string; restoredRevision: string; revertCommit?: string };

export class ServerEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(1000);
  }

  emit(event: ServerEvent): void {
    this.emitter.emit("event", event);
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
