/** GitOps: the environment repo's layout, manifest parsing and rendering, and image write-back for promotion. */

export * from "./manifests";
export * from "./render";
export * from "./env-repo";
export * from "./image-reference";
export { holdsImage, writeBackImage, type WriteBackResult } from "./write-back";
