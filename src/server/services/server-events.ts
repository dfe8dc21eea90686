/** In-process notifications of what the server does (runs, jobs, steps, pushes, app syncs): for SSE, tests and benchmarks. */

import { EventEmitter } from "node:events";
import type { DeliveryEvent } from "../../sync/delivery-events";

export type ServerEvent =
  | { type: "push.received"; repo: string; ref: string; after: string; pushId: number }
  | { type: "run.created"; repo: string; runId: number; workflow: string; sha: string }
  | { type: "run.completed"; repo: string; runId: number; conclusion: string }
  | { type: "job.updated"; repo: string; runId: number; job: string; status: string; conclusion?: string }
  | { type: "release.created"; repo: string; releaseId: number; service: string; version: string; tag: string; sha: string }
  | { type: "step.started"; repo: string; runId: number; job: string; step: number; name: string }
  | DeliveryEvent
  | {
      type: "approval.requested" | "approval.approved" | "approval.rejected" | "approval.cancelled" | "approval.expired" | "approval.completed";
      approvalId: number; repo: string; environment: string; kind: string; actor: string; state: string; execution?: string; message?: string;
    }
  | { type: "environment.sleep" | "environment.wake"; environment: string; reason: string };

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
