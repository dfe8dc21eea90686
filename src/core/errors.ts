/** The one error catalog: stable codes, a message shape, the HTTP status and a hint for the user. */

export interface ErrorSpec {
  status: number;
  hint?: string;
}

export const errorCatalog = {
  WORKFLOW_INVALID: { status: 422, hint: "Run `slipway lint` to see every problem with file, line and column." },
  WORKFLOW_NOT_FOUND: { status: 404, hint: "Workflows live in .slipway/workflows/ or .github/workflows/." },
  INPUT_INVALID: { status: 422, hint: "Check the workflow_dispatch inputs: names, types, required values and choices." },
  EVENT_NOT_TRIGGERED: { status: 409 },
  EXPRESSION_INVALID: { status: 422 },
  ACTION_NOT_FOUND: { status: 404, hint: "Vendor the action into the repository and use it as `uses: ./path/to/action`." },
  ACTION_INVALID: { status: 422 },
  NOT_A_GIT_REPO: { status: 400, hint: "Run slipway inside a git working copy, or pass --repo DIR." },
  GIT_FAILED: { status: 500 },
  RUN_NOT_FOUND: { status: 404, hint: "`slipway runs` lists the recorded runs." },
  JOB_NOT_FOUND: { status: 404 },
  STORE_FAILED: { status: 500 },
  CONFIG_INVALID: { status: 400 },
  MANIFEST_INVALID: { status: 422, hint: "Fix the manifests at the file:line given; nothing was applied." },
  USAGE: { status: 400, hint: "`slipway --help` lists the commands and their flags." },
  UNAUTHENTICATED: { status: 401, hint: "Send a token: `Authorization: Bearer <token>` (git: the token as the password)." },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  CONFLICT: { status: 409 },
  RELEASE_CONFLICT: { status: 409, hint: "A version is never reused: move or delete the tag, or set onVersionTaken: skip in the release config." },
  REQUEST_INVALID: { status: 400 },
  SERVER_UNREACHABLE: { status: 503, hint: "Is `slipway up` running, and are SLIPWAY_URL and SLIPWAY_TOKEN right?" },
  RUNTIME_UNAVAILABLE: { status: 503, hint: "Start Docker Engine (scripts/start-docker.sh) or point DOCKER_HOST at its socket, or set the Application's destination.name to local." },
  IMAGE_NOT_FOUND: { status: 404, hint: "Push the image (`slipway image push`, or slipway/push-image in a workflow) and check the reference's registry, name and tag." },
  IMAGE_INVALID: { status: 422, hint: "Give the image an ENTRYPOINT or CMD, or set command/args on the container." },
  CANCELLED: { status: 409 },
  DEMO_STEP_FAILED: { status: 500, hint: "The runs, logs and syncs are kept in the data directory: `slipway runs`, `slipway logs RUN` and `slipway apps` show what failed." },
  INTERNAL: { status: 500 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint?: string;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SlipwayError";
    this.code = code;
    const spec: ErrorSpec = errorCatalog[code];
    this.status = spec.status;
    this.hint = options.hint ?? spec.hint;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: unknown } {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isSlipwayError(error: unknown): error is SlipwayError {
  return error instanceof SlipwayError;
}

/** A message for any thrown value, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
