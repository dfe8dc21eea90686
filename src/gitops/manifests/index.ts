/** The manifest model and its parser: multi-document YAML into typed, validated Kubernetes and Argo CD objects. */

export * from "./model";
export { formatFieldPath, formatProblem, manifestError, sortProblems, type FieldPath, type ManifestProblem } from "./problems";
export { readManifestDocuments, type ManifestDocument, type DocumentsResult } from "./yaml-documents";
export { findDuplicates, loadManifests, parseManifestDocument, parseManifestDocuments, parseManifestText, type ManifestsResult } from "./parse-manifests";
export { hasSyncOption } from "./parse-application";
export { rolloutLimits, scaledValue, type RolloutLimits } from "./rolling-update";
