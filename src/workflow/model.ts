/**
 * The workflow model: what a GitHub Actions workflow file means, after parsing and validation,
 * before any expression is evaluated. Values that may hold `${{ }}` are `TemplateValue`s and are
 * evaluated at run time against the contexts of the moment (github, env, matrix, needs, steps, …).
 */

export interface SourceLocation {
  file: string;
  /** 1-based line and column, as editors and `file:line:col` output use them. */
  line: number;
  column: number;
}

/** An expression to evaluate, e.g. `format('echo {0}', matrix.n)` for `echo ${{ matrix.n }}`. */
export class Expression {
  constructor(
    readonly source: string,
    readonly loc?: SourceLocation,
  ) {}
}

export type TemplateValue =
  | null
  | boolean
  | number
  | string
  | Expression
  | TemplateValue[]
  | { [key: string]: TemplateValue };

export type TemplateMap = { [key: string]: TemplateValue };

export interface Workflow {
  /** Repo-relative path, e.g. `.github/workflows/ci.yml`. */
  file: string;
  /** `name:`, else the file path as GitHub shows it. */
  name: string;
  runName?: TemplateValue;
  on: Triggers;
  /** Workflow-level `env` (a map, or an expression that yields one). */
  env: TemplateValue;
  defaults: RunDefaults;
  concurrency?: ConcurrencyDefinition;
  /** Jobs in declaration order. */
  jobs: JobDefinition[];
}

export interface BranchFilters {
  branches?: string[];
  branchesIgnore?: string[];
}

export interface PathFilters {
  paths?: string[];
  pathsIgnore?: string[];
}

export interface PushTrigger extends BranchFilters, PathFilters {
  tags?: string[];
  tagsIgnore?: string[];
}

export interface PullRequestTrigger extends BranchFilters, PathFilters {
  /** Activity types; GitHub's default is opened, synchronize, reopened. */
  types?: string[];
}

export type InputType = "string" | "choice" | "boolean" | "number" | "environment";

export interface InputDefinition {
  type: InputType;
  description?: string;
  required: boolean;
  default?: string | number | boolean;
  options?: string[];
}

export interface WorkflowCallTrigger {
  inputs: Record<string, InputDefinition>;
  outputs: Record<string, { description?: string; value: TemplateValue }>;
  secrets: Record<string, { description?: string; required: boolean }>;
}

export interface Triggers {
  push?: PushTrigger;
  pullRequest?: PullRequestTrigger;
  workflowDispatch?: { inputs: Record<string, InputDefinition> };
  workflowCall?: WorkflowCallTrigger;
  schedule?: { cron: string; loc?: SourceLocation }[];
  /** Other events named under `on:` that slipway does not raise (e.g. `release`). */
  other: string[];
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface StrategyDefinition {
  /** A map of axes plus `include`/`exclude`, or an expression such as `fromJSON(needs.a.outputs.m)`. */
  matrix?: TemplateValue;
  /** Defaults to true. */
  failFast: TemplateValue;
  maxParallel?: TemplateValue;
}

export interface ConcurrencyDefinition {
  group: TemplateValue;
  cancelInProgress: TemplateValue;
}

export interface JobDefinition {
  id: string;
  name?: TemplateValue;
  loc: SourceLocation;
  needs: string[];
  /** Normalised condition source: a status function is always present (`success() && (…)` when none was written). */
  if: string;
  runsOn?: TemplateValue;
  /** A name, or `{ name, url }`. */
  environment?: TemplateValue;
  concurrency?: ConcurrencyDefinition;
  outputs: Record<string, TemplateValue>;
  env: TemplateValue;
  defaults: RunDefaults;
  strategy?: StrategyDefinition;
  continueOnError: TemplateValue;
  /** Minutes; GitHub's default is 360. */
  timeoutMinutes: TemplateValue;
  steps: StepDefinition[];
  /** Set for a job that calls a reusable workflow (`jobs.<id>.uses`). */
  call?: ReusableWorkflowCall;
  /** `container:` / `services:` are parsed but run only on executors that support them. */
  container?: TemplateValue;
  services?: TemplateValue;
}

export interface ReusableWorkflowCall {
  uses: string;
  with: TemplateMap;
  secrets: "inherit" | TemplateMap;
}

export interface StepDefinition {
  /** 0-based position in the job. */
  index: number;
  /** The `id:` the user wrote, if any. */
  id?: string;
  name?: TemplateValue;
  loc: SourceLocation;
  /** Normalised like JobDefinition.if. */
  if: string;
  run?: TemplateValue;
  shell?: string;
  workingDirectory?: TemplateValue;
  uses?: string;
  with: TemplateMap;
  env: TemplateValue;
  continueOnError: TemplateValue;
  timeoutMinutes?: TemplateValue;
}

export type Severity = "error" | "warning";

/** One problem found in a workflow, printed as `file:line:col: severity: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  /** A stable short code, e.g. `syntax`, `schema`, `needs-cycle`, `unsupported-runner`. */
  code: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
