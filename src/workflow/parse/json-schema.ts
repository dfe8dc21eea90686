/** A hand-written JSON Schema (draft-07) for workflow files, for editors (`slipway schema`) and key suggestions. */

type JsonSchema = { [key: string]: unknown };

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const described = (schema: JsonSchema, description: string): JsonSchema => ({ ...schema, description });

export const workflowEvents = [
  "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment", "deployment_status",
  "discussion", "discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "merge_group",
  "milestone", "page_build", "project", "project_card", "project_column", "public", "pull_request",
  "pull_request_review", "pull_request_review_comment", "pull_request_target", "push", "registry_package",
  "release", "repository_dispatch", "schedule", "status", "watch", "workflow_call", "workflow_dispatch", "workflow_run",
] as const;

const stepProperties: Record<string, JsonSchema> = {
  id: described({ type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" }, "Unique id of the step in its job, for `steps.<id>`."),
  name: described(ref("stringOrExpression"), "Name shown in logs."),
  if: described(ref("condition"), "Run the step only when this holds; `success()` is implied."),
  uses: described({ type: "string" }, "`./path` to a local action, `slipway/<name>` or a built-in `actions/*` action."),
  run: described({ type: "string" }, "Shell commands to run."),
  shell: described({ type: "string" }, "bash, sh, pwsh, python, or a template such as `bash -e {0}`."),
  "working-directory": described(ref("stringOrExpression"), "Directory to run `run` in."),
  with: described(ref("env"), "Inputs of the action."),
  env: described(ref("envOrExpression"), "Environment variables for this step."),
  "continue-on-error": ref("booleanOrExpression"),
  "timeout-minutes": ref("numberOrExpression"),
};

const jobProperties: Record<string, JsonSchema> = {
  name: described(ref("stringOrExpression"), "Name shown for the job."),
  needs: described(ref("stringList"), "Jobs that must finish before this one starts."),
  if: described(ref("condition"), "Run the job only when this holds; `success()` is implied."),
  "runs-on": described(ref("runsOn"), "Runner labels; slipway runs every job on Linux."),
  environment: described({ oneOf: [{ type: "string" }, { type: "object", properties: { name: { type: "string" }, url: { type: "string" } }, required: ["name"] }] }, "Deployment environment."),
  concurrency: ref("concurrency"),
  outputs: described({ type: "object", additionalProperties: { type: "string" } }, "Values later jobs read as `needs.<id>.outputs.<name>`."),
  env: ref("envOrExpression"),
  defaults: ref("defaults"),
  strategy: ref("strategy"),
  "continue-on-error": ref("booleanOrExpression"),
  "timeout-minutes": described(ref("numberOrExpression"), "Defaults to 360."),
  steps: { type: "array", items: ref("step"), minItems: 1 },
  container: described({ oneOf: [{ type: "string" }, { type: "object" }] }, "Not run by the host executor."),
  services: described({ type: "object" }, "Not run by the host executor."),
  uses: described({ type: "string", pattern: "^\\./" }, "A local reusable workflow, e.g. `./.github/workflows/deploy.yml`."),
  with: described(ref("env"), "Inputs of the reusable workflow."),
  secrets: { oneOf: [{ const: "inherit" }, ref("env")] },
  permissions: { oneOf: [{ type: "string" }, { type: "object" }] },
};

const inputProperties: JsonSchema = {
  description: { type: "string" },
  required: { type: "boolean" },
  default: { type: ["string", "number", "boolean"] },
  type: { enum: ["string", "choice", "boolean", "number", "environment"] },
  options: { type: "array", items: { type: "string" } },
};

const workflowProperties: Record<string, JsonSchema> = {
  name: described({ type: "string" }, "Workflow name; defaults to the file path."),
  "run-name": ref("stringOrExpression"),
  on: ref("on"),
  env: ref("envOrExpression"),
  defaults: ref("defaults"),
  concurrency: ref("concurrency"),
  permissions: { oneOf: [{ type: "string" }, { type: "object" }] },
  jobs: {
    type: "object",
    propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" },
    additionalProperties: ref("job"),
    minProperties: 1,
  },
};

const filterList = ref("stringList");

export const workflowJsonSchema: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://slipway.dev/schemas/workflow.json",
  title: "slipway workflow (GitHub Actions syntax)",
  type: "object",
  required: ["on", "jobs"],
  additionalProperties: false,
  properties: workflowProperties,
  definitions: {
    expression: { type: "string", pattern: "^\\s*\\$\\{\\{[\\s\\S]*\\}\\}\\s*$" },
    stringOrExpression: { type: ["string", "number", "boolean"] },
    booleanOrExpression: { oneOf: [{ type: "boolean" }, ref("expression")] },
    numberOrExpression: { oneOf: [{ type: "number" }, ref("expression")] },
    condition: { type: ["string", "boolean", "number"] },
    stringList: { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    env: { type: "object", additionalProperties: { type: ["string", "number", "boolean", "null"] } },
    envOrExpression: { oneOf: [ref("env"), ref("expression")] },
    defaults: {
      type: "object",
      additionalProperties: false,
      properties: {
        run: {
          type: "object",
          additionalProperties: false,
          properties: { shell: { type: "string" }, "working-directory": { type: "string" } },
        },
      },
    },
    concurrency: {
      oneOf: [
        { type: "string" },
        {
          type: "object",
          additionalProperties: false,
          required: ["group"],
          properties: { group: { type: "string" }, "cancel-in-progress": ref("booleanOrExpression") },
        },
      ],
    },
    runsOn: {
      oneOf: [
        { type: "string" },
        { type: "array", items: { type: "string" } },
        { type: "object", properties: { group: { type: "string" }, labels: ref("stringList") } },
      ],
    },
    strategy: {
      type: "object",
      additionalProperties: false,
      properties: {
        matrix: {
          oneOf: [
            ref("expression"),
            {
              type: "object",
              properties: { include: { type: "array", items: { type: "object" } }, exclude: { type: "array", items: { type: "object" } } },
              additionalProperties: { oneOf: [{ type: "array" }, ref("expression")] },
            },
          ],
        },
        "fail-fast": ref("booleanOrExpression"),
        "max-parallel": ref("numberOrExpression"),
      },
    },
    step: {
      type: "object",
      additionalProperties: false,
      properties: stepProperties,
      oneOf: [{ required: ["run"], not: { required: ["uses"] } }, { required: ["uses"], not: { required: ["run"] } }],
    },
    job: {
      type: "object",
      additionalProperties: false,
      properties: jobProperties,
      anyOf: [{ required: ["runs-on"] }, { required: ["uses"] }],
    },
    branchFilters: {
      type: ["object", "null"],
      additionalProperties: false,
      properties: {
        branches: filterList, "branches-ignore": filterList, tags: filterList, "tags-ignore": filterList,
        paths: filterList, "paths-ignore": filterList, types: filterList,
      },
    },
    input: { type: "object", additionalProperties: false, properties: inputProperties },
    on: {
      oneOf: [
        { enum: [...workflowEvents] },
        { type: "array", items: { enum: [...workflowEvents] } },
        {
          type: "object",
          additionalProperties: false,
          propertyNames: { enum: [...workflowEvents] },
          properties: {
            push: ref("branchFilters"),
            pull_request: ref("branchFilters"),
            pull_request_target: ref("branchFilters"),
            schedule: {
              type: "array",
              items: { type: "object", required: ["cron"], properties: { cron: { type: "string" }, timezone: { type: "string" } } },
            },
            workflow_dispatch: {
              type: ["object", "null"],
              properties: { inputs: { type: "object", additionalProperties: ref("input") } },
            },
            workflow_call: {
              type: ["object", "null"],
              properties: {
                inputs: { type: "object", additionalProperties: ref("input") },
                outputs: { type: "object", additionalProperties: { type: "object", properties: { description: { type: "string" }, value: { type: "string" } } } },
                secrets: { type: "object", additionalProperties: { type: ["object", "null"], properties: { description: { type: "string" }, required: { type: "boolean" } } } },
              },
            },
          },
        },
      ],
    },
  },
};

/** The keys the schema defines for the workflow root, a job, a step and a strategy. */
export const knownKeyLists = {
  workflow: Object.keys(workflowProperties),
  job: Object.keys(jobProperties),
  step: Object.keys(stepProperties),
  strategy: ["matrix", "fail-fast", "max-parallel"],
  input: Object.keys(inputProperties),
} as const;
