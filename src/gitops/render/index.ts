/** Manifest rendering: plain directories and the kustomize subset, read through a ManifestReader. */

export { renderDocuments, renderEnvironment, type RenderedDocuments, type RenderOptions } from "./render-environment";
export { directoryReader, isUnder, memoryReader, normalizeRepoPath, type ManifestReader } from "./manifest-reader";
export { kustomizationFileNames, parseKustomization, supportedKustomizeFields, type Kustomization, type KustomizeImage } from "./kustomization";
export { addCommonLabels, addNamePrefix, applyImageOverride, parseArgoImageOverride, setImages, setNamespace } from "./transforms";
