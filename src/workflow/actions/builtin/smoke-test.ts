/** `slipway/smoke-test`: an HTTP check (expected status, body text or pattern) within a timeout, retried at an interval; fails the step when it does not pass. */

import { describeError } from "../../../core/errors";
import { parseSmokeCheck, runSmokeTest } from "../../../sync/smoke-test";
import type { ActionResult, BuiltinAction } from "../action-request";

export const smokeTestAction: BuiltinAction = {
  name: "smoke-test",
  description: "Check an HTTP endpoint: expected status and body within a timeout, with retries.",
  inputs: {
    url: { required: true, description: "The address to check, e.g. http://127.0.0.1:8080/healthz." },
    method: { default: "GET" },
    status: { default: "200", description: "The expected status code." },
    body: { default: "", description: "Text the body must contain." },
    "body-regex": { default: "", description: "A regular expression the body must match." },
    timeout: { default: "30s", description: "Time for the whole check, retries included (500ms, 30s, 2m)." },
    retries: { default: "3", description: "Attempts after the first failure." },
    interval: { default: "1s", description: "Wait between attempts." },
  },
  async run({ inputs, log }): Promise<ActionResult> {
    let check;
    try {
      check = parseSmokeCheck({ url: inputs.url, method: inputs.method, status: inputs.status, body: inputs.body, bodyRegex: inputs["body-regex"], timeout: inputs.timeout, retries: inputs.retries, interval: inputs.interval });
    } catch (error) {
      await log(`##[error]slipway/smoke-test: ${describeError(error)}`);
      return { outcome: "failure", outputs: {} };
    }
    const result = await runSmokeTest(check, log);
    if (!result.ok) await log(`##[error]${result.message}`);
    const last = result.attempts[result.attempts.length - 1];
    return { outcome: result.ok ? "success" : "failure", outputs: { status: last?.status === undefined ? "" : String(last.status), attempts: String(result.attempts.length) } };
  },
};
