/** Health statuses and Argo CD's order of badness, for folding resources into one application health. */

export type HealthStatus = "Healthy" | "Suspended" | "Progressing" | "Missing" | "Degraded" | "Unknown";

/** gitops-engine's healthOrder: later is worse. */
export const healthOrder: readonly HealthStatus[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

export interface Health {
  status: HealthStatus;
  message?: string;
}

export function isWorseHealth(a: HealthStatus, b: HealthStatus): boolean {
  return healthOrder.indexOf(a) > healthOrder.indexOf(b);
}

/** The worst of several; Healthy when there are none. */
export function worstHealth(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, status) => (isWorseHealth(status, worst) ? status : worst), "Healthy");
}
