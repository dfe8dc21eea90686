/** Readiness, liveness and startup probes (httpGet, tcpSocket, exec) and the loop that applies their thresholds. */

import { request } from "node:http";
import { connect } from "node:net";
import type { ExecResult } from "../runtime";
import type { PortRef, ProbeSpec } from "../types";
import { loopback } from "./ports";

export interface ProbeTarget {
  /** The host port for a container port number or name. */
  resolvePort(port: PortRef): number | undefined;
  exec(command: string[], timeoutMs: number): Promise<ExecResult>;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

function httpProbe(port: number, probe: NonNullable<ProbeSpec["httpGet"]>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { "user-agent": "slipway-probe" };
    for (const header of probe.httpHeaders ?? []) headers[header.name] = header.value;
    const req = request({ host: loopback, port, path: probe.path ?? "/", method: "GET", headers, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, message: `HTTP ${status} from ${probe.path ?? "/"}` });
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ ok: false, message: `GET ${probe.path ?? "/"} on port ${port}: ${error.message}` }));
    req.end();
  });
}

function tcpProbe(port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: loopback, port });
    const timer = setTimeout(() => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, message: `connected to port ${port}` });
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `connect to port ${port}: ${error.message}` });
    });
  });
}

export async function runProbe(probe: ProbeSpec, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const result = await target.exec(probe.exec.command, timeoutMs).catch((error: Error) => ({ exitCode: null, stderr: error.message, timedOut: false }));
    if (result.timedOut) return { ok: false, message: `exec timed out after ${timeoutMs} ms` };
    return { ok: result.exitCode === 0, message: `exec exited ${result.exitCode}${result.stderr ? `: ${result.stderr.trim().slice(0, 200)}` : ""}` };
  }
  const portRef = probe.httpGet?.port ?? probe.tcpSocket?.port;
  const port = portRef === undefined ? undefined : target.resolvePort(portRef);
  if (port === undefined) return { ok: false, message: `probe port ${String(portRef)} is not a container port` };
  if (probe.httpGet) return httpProbe(port, probe.httpGet, timeoutMs);
  return tcpProbe(port, timeoutMs);
}

export type ProbeOutcome = "success" | "failure";

/** Probes on a period; reports a transition once successThreshold or failureThreshold consecutive results are reached. */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private state: ProbeOutcome | undefined;
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly probe: ProbeSpec,
    private readonly target: ProbeTarget,
    private readonly onChange: (outcome: ProbeOutcome, message: string) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const result = await runProbe(this.probe, this.target);
    if (this.stopped) return;
    if (result.ok) {
      this.successes++;
      this.failures = 0;
      if (this.state !== "success" && this.successes >= (this.probe.successThreshold ?? 1)) this.transition("success", result.message);
    } else {
      this.failures++;
      this.successes = 0;
      if (this.state !== "failure" && this.failures >= (this.probe.failureThreshold ?? 3)) this.transition("failure", result.message);
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private transition(outcome: ProbeOutcome, message: string): void {
    this.state = outcome;
    this.onChange(outcome, message);
  }
}
