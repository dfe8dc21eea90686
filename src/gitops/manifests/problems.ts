/** Manifest problems (file, line, field path, message) and the one error that carries them. */

import { SlipwayError } from "../../core/errors";

export type FieldPath = (string | number)[];

export interface ManifestProblem {
  file: string;
  line: number;
  /** `spec.template.spec.containers[0].image`; empty for whole-document problems. */
  field: string;
  message: string;
}

/** `spec.ports[0].port`, with keys that are not identifiers quoted: `metadata.labels["app.kubernetes.io/name"]`. */
export function formatFieldPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `envs/dev/web/deployment.yaml:14: spec.template.spec.containers[0].image is required`. */
export function formatProblem(problem: ManifestProblem): string {
  const subject = problem.field === "" ? "" : `${problem.field} `;
  return `${problem.file}:${problem.line}: ${subject}${problem.message}`;
}

export function sortProblems(problems: ManifestProblem[]): ManifestProblem[] {
  return [...problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** One MANIFEST_INVALID error listing every problem; `details.problems` keeps them structured. */
export function manifestError(problems: ManifestProblem[]): SlipwayError {
  const sorted = sortProblems(problems);
  const lines = sorted.map(formatProblem);
  const message = lines.length === 1 ? lines[0] : `${lines.length} manifest problems:\n  ${lines.join("\n  ")}`;
  return new SlipwayError("MANIFEST_INVALID", message, { details: { problems: sorted } });
}
