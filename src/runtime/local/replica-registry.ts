/** Durable records of the replica processes this runtime started (pid, /proc start time, ports, revision, template, log files), one JSON file each, so a restarted slipway can adopt or end them. */

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PortBinding } from "../replica-driver";
import type { PodTemplate } from "../types";

export interface ReplicaRecord {
  version: 1;
  namespace: string;
  name: string;
  workload: { kind: "Deployment" | "Job"; name: string };
  revision: string;
  template?: PodTemplate;
  ports: PortBinding[];
  pid: number;
  /** Clock ticks since boot from /proc/PID/stat: with the pid, it names one process even after pid reuse. */
  startTime: number;
  /** The SLIPWAY_PROCESS_TRACKING_ID every process of the replica's tree carries. */
  trackingId: string;
  cwd: string;
  /** The unpacked image root the replica runs from (it is kept while the replica runs). */
  imageRoot?: string;
  logFiles?: { stdout: string; stderr: string };
  /** Milliseconds since the epoch. */
  startedAt: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A record read back from disk, or undefined when the file is torn or from another version. */
export function parseReplicaRecord(text: string): ReplicaRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.version !== 1) return undefined;
  const workload = value.workload;
  const fine =
    typeof value.namespace === "string" &&
    typeof value.name === "string" &&
    isRecord(workload) &&
    (workload.kind === "Deployment" || workload.kind === "Job") &&
    typeof workload.name === "string" &&
    typeof value.revision === "string" &&
    Array.isArray(value.ports) &&
    Number.isInteger(value.pid) &&
    Number.isInteger(value.startTime) &&
    typeof value.trackingId === "string" &&
    typeof value.cwd === "string" &&
    (value.imageRoot === undefined || typeof value.imageRoot === "string") &&
    typeof value.startedAt === "number";
  // Written by ReplicaRegistry.write from a validated launch.
  return fine ? (value as unknown as ReplicaRecord) : undefined;
}

/** Synchronous on purpose: a record is on disk before start() returns, so a SIGKILL right after cannot lose it. */
export class ReplicaRegistry {
  constructor(readonly dir: string) {}

  private fileOf(namespace: string, name: string): string {
    return join(this.dir, `${encodeURIComponent(namespace)}~${encodeURIComponent(name)}.json`);
  }

  write(record: ReplicaRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.fileOf(record.namespace, record.name);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(record), { mode: 0o600 });
    renameSync(temp, file);
  }

  /** Removes the record only if it still describes that process (a restart may have written a newer one). */
  remove(namespace: string, name: string, pid?: number): void {
    const file = this.fileOf(namespace, name);
    if (pid !== undefined) {
      const current = this.readFile(file);
      if (current && current.pid !== pid) return;
    }
    rmSync(file, { force: true });
  }

  private readFile(file: string): ReplicaRecord | undefined {
    try {
      return parseReplicaRecord(readFileSync(file, "utf8"));
    } catch {
      return undefined;
    }
  }

  list(): ReplicaRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const records: ReplicaRecord[] = [];
    for (const name of names) {
      if (name.endsWith(".tmp")) {
        rmSync(join(this.dir, name), { force: true });
        continue;
      }
      if (!name.endsWith(".json")) continue;
      const record = this.readFile(join(this.dir, name));
      if (record) records.push(record);
      else rmSync(join(this.dir, name), { force: true });
    }
    return records;
  }
}
