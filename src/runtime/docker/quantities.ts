/** Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`) as the numbers Docker Engine takes (NanoCpus, Memory bytes). */

import { SlipwayError } from "../../core/errors";

const memorySuffixes: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** `128Mi` → 134217728; rejects what Kubernetes would reject. */
export function memoryBytes(quantity: string, usedBy: string): number {
  const match = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(quantity.trim());
  if (!match) throw new SlipwayError("MANIFEST_INVALID", `${usedBy}: resources.limits.memory "${quantity}" is not a quantity like 128Mi or 1G`);
  return Math.round(Number(match[1]) * memorySuffixes[match[2]]);
}

/** `500m` → 500000000 nano CPUs; `2` → 2000000000. */
export function nanoCpus(quantity: string, usedBy: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!match) throw new SlipwayError("MANIFEST_INVALID", `${usedBy}: resources.limits.cpu "${quantity}" is not a quantity like 500m or 1`);
  const cores = Number(match[1]) / (match[2] === "m" ? 1000 : 1);
  return Math.round(cores * 1e9);
}
