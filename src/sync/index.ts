/** Sync's pure core: the live-object model, diff, plan (waves, hooks, prune) and health; the delivery event names; smoke tests. */

export * from "./model";
export { diffObject, diffObjects, formatObjectDiff, overallSyncStatus, type DiffReason, type FieldChange, type ObjectDiff } from "./diff";
export { lastAppliedOf, normalizeObject } from "./normalize";
export { planSync, type PlanOptions, type PruneStep, type StepAction, type SyncPlan, type SyncStep, type SyncWave } from "./plan";
export { compareSyncOrder, hookOf, kindOrder, kindRank, syncWaveOf, syncPhases, type HookDeletePolicy, type HookSpec, type HookType, type SyncPhase } from "./sync-order";
export * from "./health";
export { deliveryEventTypes, type DeliveryEvent, type DeliveryEventFields, type DeliveryEventType } from "./delivery-events";
export { parseSmokeCheck, runSmokeTest, type SmokeCheck, type SmokeResult } from "./smoke-test";
