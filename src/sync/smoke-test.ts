/** HTTP smoke tests (slipway/smoke-test, `slipway smoke-test`): expected status and body within a time budget, retried at an interval. */

import { SlipwayError } from "../core/errors";

export interface SmokeCheck {
  url: string;
  method: string;
  /** Expected status code. */
  status: number;
  /** The body must contain this text. */
  body?: string;
  /** The body must match this expression. */
  bodyPattern?: RegExp;
  /** The whole check, every attempt included. */
  timeoutMs: number;
  /** Attempts after the first failure. */
  retries: number;
  intervalMs: number;
}

export interface SmokeAttempt {
  attempt: number;
  ms: number;
  status?: number;
  /** Why this attempt failed. */
  problem?: string;
}

export interface SmokeResult {
  ok: boolean;
  attempts: SmokeAttempt[];
  /** One line: what passed, or why the last attempt failed. */
  message: string;
}

/** `30s`, `500ms`, `2m`, `1h`, or plain seconds (`10`). */
export function parseDuration(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new SlipwayError("USAGE", `${what} "${text}" is not a duration: use 500ms, 30s, 2m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}

function wholeNumber(text: string, what: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) throw new SlipwayError("USAGE", `${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

export interface SmokeCheckInput {
  url?: string;
  method?: string;
  status?: string;
  body?: string;
  bodyRegex?: string;
  timeout?: string;
  retries?: string;
  interval?: string;
}

/** Validates the options as given on the command line or as `with:` inputs; USAGE errors name the option. */
export function parseSmokeCheck(input: SmokeCheckInput): SmokeCheck {
  const url = (input.url ?? "").trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlipwayError("USAGE", url === "" ? "url is required: the address to check, e.g. http://127.0.0.1:8080/healthz" : `url "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new SlipwayError("USAGE", `url "${url}" must be http:// or https://`);
  let bodyPattern: RegExp | undefined;
  if (input.bodyRegex) {
    try {
      bodyPattern = new RegExp(input.bodyRegex);
    } catch (error) {
      throw new SlipwayError("USAGE", `body-regex "${input.bodyRegex}" is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const method = (input.method || "GET").toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new SlipwayError("USAGE", `method "${input.method}" is not an HTTP method`);
  return {
    url,
    method,
    status: wholeNumber(input.status || "200", "status", 100, 599),
    ...(input.body ? { body: input.body } : {}),
    ...(bodyPattern ? { bodyPattern } : {}),
    timeoutMs: parseDuration(input.timeout || "30s", "timeout"),
    retries: wholeNumber(input.retries || "3", "retries", 0, 1000),
    intervalMs: parseDuration(input.interval || "1s", "interval"),
  };
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

async function attemptOnce(check: SmokeCheck, budgetMs: number): Promise<Omit<SmokeAttempt, "attempt" | "ms">> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(check.url, { method: check.method, redirect: "manual", signal: AbortSignal.timeout(Math.max(1, budgetMs)) });
    body = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${budgetMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { problem: `${check.method} ${check.url}: ${reason}` };
  }
  const status = response.status;
  if (status !== check.status) return { status, problem: `${check.method} ${check.url} answered ${status}, expected ${check.status}: ${excerpt(body)}` };
  if (check.body !== undefined && !body.includes(check.body)) return { status, problem: `${check.method} ${check.url}: the body does not contain "${check.body}": ${excerpt(body)}` };
  if (check.bodyPattern && !check.bodyPattern.test(body)) return { status, problem: `${check.method} ${check.url}: the body does not match /${check.bodyPattern.source}/: ${excerpt(body)}` };
  return { status };
}

/** Runs the check until it passes, the retries are used up, or the time budget is spent; `log` gets one line per attempt. */
export async function runSmokeTest(check: SmokeCheck, log: (line: string) => void | Promise<void> = () => undefined): Promise<SmokeResult> {
  const deadline = Date.now() + check.timeoutMs;
  const attempts: SmokeAttempt[] = [];
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const outcome = await attemptOnce(check, deadline - started);
    const entry: SmokeAttempt = { attempt, ms: Date.now() - started, ...outcome };
    attempts.push(entry);
    if (entry.problem === undefined) {
      const message = `${check.method} ${check.url} answered ${entry.status} as expected (attempt ${attempt}, ${entry.ms} ms)`;
      await log(`✓ ${message}`);
      return { ok: true, attempts, message };
    }
    await log(`✗ attempt ${attempt}: ${entry.problem}`);
    const wait = Math.min(check.intervalMs, deadline - Date.now());
    if (attempt > check.retries || wait < 0 || Date.now() >= deadline) {
      const why = attempt > check.retries ? `after ${attempt} attempt(s)` : `within ${check.timeoutMs} ms`;
      return { ok: false, attempts, message: `smoke test failed ${why}: ${entry.problem}` };
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
