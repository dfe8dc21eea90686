/** Persists what the engine reports: jobs, steps, annotations and logs (in bounded chunks) and the run's events. */

import type { JsonObject } from "../core/json";
import { BufferedLogWriter, type StoreSession } from "../store";
import type { Annotation, JobState, RunListener, StepState } from "./engine/run-listener";

interface JobRecordHandle {
  id: Promise<number>;
  writer: Promise<BufferedLogWriter>;
}

export class StoreRunRecorder implements RunListener {
  private readonly jobs = new Map<string, JobRecordHandle>();

  constructor(
    private readonly store: StoreSession,
    private readonly runId: number,
  ) {}

  private handle(job: JobState): JobRecordHandle {
    let handle = this.jobs.get(job.key);
    if (!handle) {
      const id = this.store.runs
        .createJob({ runId: this.runId, jobId: job.jobId, jobKey: job.key, name: job.name, matrix: job.matrix, needs: job.needs, status: job.status })
        .then((record) => record.id);
      const writer = id.then((jobId) => new BufferedLogWriter({ logs: this.store.logs, jobId }));
      handle = { id, writer };
      this.jobs.set(job.key, handle);
    }
    return handle;
  }

  async jobQueued(job: JobState): Promise<void> {
    await this.handle(job).id;
  }

  async jobStarted(job: JobState): Promise<void> {
    const id = await this.handle(job).id;
    await this.store.runs.updateJob(id, { status: "in_progress", startedAt: job.startedAt ?? Date.now(), environment: job.environment?.name ?? null });
  }

  async stepStarted(job: JobState, step: StepState): Promise<void> {
    await this.saveStep(job, step);
  }

  async stepFinished(job: JobState, step: StepState): Promise<void> {
    await this.saveStep(job, step);
  }

  async log(job: JobState, stepNumber: number | null, line: string): Promise<void> {
    const writer = await this.handle(job).writer;
    await writer.write(stepNumber, `${line}\n`);
  }

  async annotation(job: JobState, stepNumber: number | null, annotation: Annotation): Promise<void> {
    const jobId = await this.handle(job).id;
    await this.store.runs.addAnnotation({ jobId, stepNumber, ...annotation });
  }

  async jobFinished(job: JobState): Promise<void> {
    const handle = this.handle(job);
    const id = await handle.id;
    await (await handle.writer).flush();
    await this.store.runs.updateJob(id, {
      status: "completed",
      conclusion: job.conclusion ?? "failure",
      outputs: job.outputs as JsonObject,
      environment: job.environment?.name ?? null,
      startedAt: job.startedAt ?? null,
      completedAt: job.completedAt ?? Date.now(),
      error: job.message ?? null,
    });
    await this.store.events.append({
      type: "job.completed",
      subject: `run:${this.runId}`,
      payload: { runId: this.runId, job: job.key, conclusion: job.conclusion ?? "failure" },
    });
  }

  /** Waits for every pending write, so the store holds the whole run. */
  async flush(): Promise<void> {
    for (const handle of this.jobs.values()) await (await handle.writer).flush();
  }

  private async saveStep(job: JobState, step: StepState): Promise<void> {
    const id = await this.handle(job).id;
    await this.store.runs.upsertStep(id, step.number, {
      name: step.name,
      status: step.status,
      outcome: step.outcome ?? null,
      conclusion: step.conclusion ?? null,
      outputs: step.outputs,
      startedAt: step.startedAt ?? null,
      completedAt: step.completedAt ?? null,
    });
  }
}
