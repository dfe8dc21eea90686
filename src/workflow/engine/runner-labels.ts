/** `runs-on` on the host executor: Linux labels run here; others are warned about and run here anyway. */

import type { JsonValue } from "../../core/json";

const linuxLabel = /^(ubuntu(-[\w.]+)?|linux|self-hosted|x64|arm64|slipway)$/i;

/** The labels that are not Linux ones, from an evaluated `runs-on` (a label, a list, or `{ group, labels }`). */
export function foreignRunnerLabels(runsOn: JsonValue): string[] {
  const labels: string[] = [];
  const collect = (value: JsonValue): void => {
    if (typeof value === "string") labels.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object" && "labels" in value) collect(value.labels ?? null);
  };
  collect(runsOn);
  return labels.filter((label) => !linuxLabel.test(label));
}
