/** Workflow parsing and linting: files → Workflow models and diagnostics with stable codes. */

export { parseWorkflowFile, type ParsedWorkflow } from "./parse-workflow-file";
export { loadWorkflows, findWorkflowFolder, workflowFolders, type LoadedWorkflows } from "./load-workflows";
export { lintPaths, repositoryRoot, type LintResult } from "./lint-paths";
export { diagnosticCodes, sortDiagnostics, hasErrors, type DiagnosticCode } from "./diagnostics";
export { workflowJsonSchema } from "./json-schema";
export { isBuiltInAction } from "./check-support";
export { renderLintReport, summarizeDiagnostics } from "./lint-report";
