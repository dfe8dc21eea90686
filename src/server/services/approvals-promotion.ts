/** An approved promotion performed by the server: verify the tag, rewrite the env repo's image fields, commit, push, record the push. */

import { join } from "node:path";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { git } from "../../git/git-cli";
import type { RefUpdate } from "../../git/push-events";
import { promote } from "../../gitops/promote";
import { promotionTag, promotionVersion, verifyImageTag } from "../../gitops/promote-tag";
import { parseImageReference } from "../../oci/client/image-reference";
import { RepositoryStore } from "../../oci/repository-store";
import type { ApprovalRecord, RepoRecord, Store } from "../../store";
import { registryAccess } from "../registry-access";

export interface PromotionPayload {
  service: string;
  version: string;
  /** The image repository with its registry host, e.g. `127.0.0.1:7700/acme/shop/web`. */
  image: string;
  /** Check that `image:v<version>` exists first (default true). */
  verify: boolean;
  branch?: string;
  sourceCommit?: string;
  runId?: string;
}

export interface PromotionDeps {
  store: Store;
  dataDir: string;
  repoPath(repo: RepoRecord): string;
  publicUrl(): string;
  /** A ref update the server made itself, recorded and processed like a push (runs, delivery). */
  recordPush(repo: RepoRecord, update: RefUpdate, pusher: string): Promise<unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Reads and checks a promotion request's payload; REQUEST_INVALID names the field. */
export function parsePromotionPayload(payload: JsonObject): PromotionPayload {
  const service = text(payload.service);
  const version = text(payload.version);
  const image = text(payload.image);
  if (!service) throw new SlipwayError("REQUEST_INVALID", "payload.service is required: the service to promote.");
  if (!version) throw new SlipwayError("REQUEST_INVALID", "payload.version is required: the released version, e.g. 1.2.0.");
  if (!image) throw new SlipwayError("REQUEST_INVALID", "payload.image is required: the image repository with its registry, e.g. 127.0.0.1:7700/acme/shop/web.");
  if (payload.verify !== undefined && typeof payload.verify !== "boolean") throw new SlipwayError("REQUEST_INVALID", "payload.verify must be true or false.");
  return {
    service, version: promotionVersion(version), image, verify: payload.verify !== false,
    branch: text(payload.branch), sourceCommit: text(payload.sourceCommit), runId: text(payload.runId),
  };
}

/** The image tag must exist; on this server's own registry it is read from disk with the requester's pull right. */
export async function verifyPromotionTag(deps: Pick<PromotionDeps, "store" | "dataDir" | "publicUrl">, payload: PromotionPayload, environment: string, requester: string): Promise<void> {
  const tag = promotionTag(payload.version, environment);
  if (!payload.verify) return;
  const reference = parseImageReference(payload.image);
  if (reference.registry !== new URL(deps.publicUrl()).host) {
    await verifyImageTag(payload.image, tag);
    return;
  }
  const allowed = await registryAccess(deps.store).authorize(requester, reference.repository, "pull");
  const digest = allowed ? await new RepositoryStore(join(deps.dataDir, "oci")).tag(reference.repository, tag).catch(() => undefined) : undefined;
  if (!digest) {
    throw new SlipwayError("NOT_FOUND", `image ${payload.image}:${tag} does not exist in the registry ${reference.registry}${allowed ? "" : ` (or ${requester} may not pull it)`}`, {
      hint: "Push it first (`slipway image push` or the slipway/push-image step of the release), or check the version.",
    });
  }
}

/** Performs the promotion as the requester; the result is what the approval records. */
export async function performPromotion(deps: PromotionDeps, approval: ApprovalRecord): Promise<JsonObject> {
  const payload = parsePromotionPayload(approval.payload);
  const [owner, name] = approval.repo.split("/");
  const repo = owner && name ? await deps.store.repos.findRepo(owner, name) : undefined;
  if (!repo) throw new SlipwayError("NOT_FOUND", `The environment repo ${approval.repo} no longer exists.`);
  await verifyPromotionTag(deps, payload, approval.environment, approval.requester);
  const repoPath = deps.repoPath(repo);
  const result = await promote({
    envRepo: repoPath, service: payload.service, version: payload.version, env: approval.environment, image: payload.image, verifyTag: false,
    branch: payload.branch, sourceCommit: payload.sourceCommit, runId: payload.runId, actor: approval.requester,
  });
  if (result.commit) {
    // The write went straight into the bare repo: record it as a push so delivery syncs it and push workflows run.
    const before = (await git(["rev-parse", `${result.commit}^`], repoPath)).trim();
    await deps.recordPush(repo, { ref: `refs/heads/${result.branch}`, before, after: result.commit }, approval.requester);
  }
  return {
    commit: result.commit ?? null, alreadyAtVersion: result.alreadyAtVersion, branch: result.branch, changedFiles: result.changedFiles,
    previousImage: result.previousImage ?? null, newImage: result.newImage, attempts: result.attempts,
  };
}
