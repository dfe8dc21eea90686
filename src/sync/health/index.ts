/** Health by Argo CD's rules: per resource kind, and folded into one application health. */

export { applicationHealth, type ApplicationHealth } from "./app-health";
export { deploymentHealth } from "./deployment-health";
export { healthOrder, isWorseHealth, worstHealth, type Health, type HealthStatus } from "./health-status";
export { jobHealth } from "./job-health";
export { liveStatusOf } from "./live-status";
export { resourceHealth, type ResourceHealth } from "./resource-health";
