/** Trigger matching: filter patterns, `on:` events, dispatch inputs and cron schedules. */

export { validateCron, nextCronRun, sameCron } from "./cron";
export { resolveDispatchInputs, type InputValue } from "./dispatch-inputs";
export { filterPatternToRegExp, matchFilterPattern, matchFilters, matchPathFilters, matchPatternList } from "./filter-pattern";
export { defaultPullRequestTypes, matchTrigger, type TriggerMatch } from "./match-trigger";
