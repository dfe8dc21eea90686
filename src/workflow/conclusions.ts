/** States and conclusions of runs, jobs and steps, as GitHub's checks API names them. */

export type RunStatus = "queued" | "waiting" | "in_progress" | "completed";
export type Conclusion = "success" | "failure" | "cancelled" | "skipped";

/** The worst conclusion wins: failure > cancelled > success > skipped (all skipped → skipped). */
export function combineConclusions(conclusions: Conclusion[]): Conclusion {
  if (conclusions.includes("failure")) return "failure";
  if (conclusions.includes("cancelled")) return "cancelled";
  if (conclusions.includes("success")) return "success";
  return conclusions.length === 0 ? "success" : "skipped";
}
