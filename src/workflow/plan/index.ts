/** Run planning: matrix expansion, matrix job names, the job DAG and the dry-run plan. */

export { planJobGraph, transitiveNeeds, type JobGraph } from "./job-graph";
export { matrixJobName } from "./job-name";
export { expandMatrix, jsonEquals, matrixInstances, maxMatrixCombinations } from "./matrix";
export { planRun, type PlannedJob, type RunPlan, type WillRun } from "./run-plan";
