/** `planRelease`: for each service, the next version, tag and changelog, from tags and history (through the commit cache). */

import { basename } from "node:path";
import { SlipwayError } from "../core/errors";
import { git } from "../git/git-cli";
import type { ConventionalCommit } from "./conventional-commit";
import { historyReader, newCommitsRange, preloadCommitCache, type PrefetchedCommits } from "./commit-cache";
import { readMergedTags, readRepositoryFacts, webUrlFromRemote } from "./git-refs";
import { channelForBranch, isSingleService, tagPrefixFor, type ServiceConfig } from "./release-config";
import { loadReleaseConfig } from "./release-config-file";
import type { PlanReleaseOptions, ReleasePlan } from "./release-plan";
import { serviceTagState, type ServiceTagState } from "./release-tags";
import { planService } from "./service-plan";

interface ServiceContext {
  service: ServiceConfig;
  tagPrefix: string;
  tags: ServiceTagState;
}

export async function planRelease(repoDir: string, options: PlanReleaseOptions = {}): Promise<ReleasePlan[]> {
  const head = options.head ?? "HEAD";
  // The cache read, git's answer and the configuration all at once (the origin URL costs nothing in the same batch).
  const preload = preloadCommitCache(repoDir, options.cache);
  const newCommits = newCommitsRange(repoDir, preload, head);
  const [config, facts] = await Promise.all([options.config ?? loadReleaseConfig(repoDir, head), readRepositoryFacts(repoDir, head, !options.config?.repositoryUrl, newCommits)]);
  const single = isSingleService(config.services);
  const services = selectServices(config.services.map((s) => (s.name ? s : { ...s, name: options.rootServiceName ?? basename(repoDir) })), options.services);
  const channel = channelForBranch(options.branch ?? facts.branch, config.prerelease, options.prerelease);
  const contextsFor = (isMerged: (tag: string) => boolean): ServiceContext[] =>
    services.map((service) => {
      const tagPrefix = tagPrefixFor(service, single);
      return { service, tagPrefix, tags: serviceTagState(facts.tags, isMerged, tagPrefix, channel) };
    });
  // Optimistic: the highest tags are in HEAD's history (asking git costs a walk of the whole history).
  let contexts = contextsFor(() => true);
  let exclude = await sharedBoundary(repoDir, contexts);
  // git lists the head first: the commits are those beyond the cache's tips up to this head.
  const prefetched: PrefetchedCommits | undefined = preload?.hint && newCommits && facts.logged?.length ? { header: preload.hint.header, head: facts.logged[0].sha, not: newCommits.not, commits: facts.logged } : undefined;
  const readHistory = historyReader(repoDir, facts.commonDir, options.cache, preload, prefetched);
  // A single service at the root counts every commit: no changed paths needed (git log is ~2.5× faster without).
  let history = await readHistory({ head: facts.headSha, exclude, withFiles: !single });
  if (!latestTagsReachable(contexts, history, facts.headSha)) {
    const merged = await readMergedTags(repoDir, facts.headSha);
    contexts = contextsFor((tag) => merged.has(tag));
    const boundary = await sharedBoundary(repoDir, contexts);
    if (boundary.join() !== exclude.join()) history = await readHistory({ head: facts.headSha, exclude: boundary, withFiles: !single });
    exclude = boundary;
  }
  const bySha = lazyIndex(history);
  const date = (options.date ?? new Date()).toISOString().slice(0, 10);
  const repositoryUrl = config.repositoryUrl ?? webUrlFromRemote(facts.originUrl);
  return contexts.map(({ service, tagPrefix, tags }) => {
    const stableBoundary = ancestorsWithin(bySha, tags.latestStable?.commit);
    const releaseCommit = channel ? tags.latestRelease?.commit : tags.latestStable?.commit;
    const releaseBoundary = releaseCommit === tags.latestStable?.commit ? stableBoundary : ancestorsWithin(bySha, releaseCommit);
    const inService = touchesPath(service.path);
    const sinceStable = history.filter((commit) => !stableBoundary.has(commit.sha) && inService(commit));
    const sinceRelease = releaseBoundary === stableBoundary ? sinceStable : sinceStable.filter((commit) => !releaseBoundary.has(commit.sha));
    return planService({
      service: service.name,
      path: service.path,
      tagPrefix,
      tags,
      sinceStable,
      sinceRelease,
      channel,
      firstVersion: service.firstVersion ?? config.firstVersion,
      preMajor: config.preMajor,
      onVersionTaken: config.onVersionTaken,
      headSha: facts.headSha,
      date,
      repositoryUrl,
      changelogPath: service.path === "." ? config.changelogFile : `${service.path}/${config.changelogFile}`,
    });
  });
}

function selectServices(services: ServiceConfig[], wanted: string[] | undefined): ServiceConfig[] {
  if (!wanted || wanted.length === 0) return services;
  const unknown = wanted.filter((name) => !services.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new SlipwayError("USAGE", `Unknown service ${unknown.map((n) => `'${n}'`).join(", ")}; services: ${services.map((s) => s.name).join(", ")}.`);
  }
  return services.filter((s) => wanted.includes(s.name));
}

/** Commits reachable from every service's latest stable tag are released for all: git can skip them. */
async function sharedBoundary(repoDir: string, contexts: ServiceContext[]): Promise<string[]> {
  const commits = new Set<string>();
  for (const { tags } of contexts) {
    if (!tags.latestStable) return [];
    commits.add(tags.latestStable.commit);
  }
  if (commits.size <= 1) return [...commits];
  const base = (await git(["merge-base", "--octopus", ...commits], repoDir).catch(() => "")).trim();
  return base ? [base] : [];
}

/**
 * Loaded commits are reachable from the head, and so are their parents (which include the excluded
 * boundary when it is an ancestor); a chosen tag anywhere else is not in the head's history.
 */
function latestTagsReachable(contexts: ServiceContext[], history: ConventionalCommit[], headSha: string): boolean {
  // Looks for the few tagged commits by comparison rather than collecting (hashing) every reachable SHA.
  const missing = [...new Set(contexts.flatMap(({ tags }) => [tags.latestStable?.commit, tags.latestRelease?.commit]))].filter((sha): sha is string => sha !== undefined && sha !== headSha);
  // Oldest first: a boundary tag is usually the parent of the oldest loaded commits.
  for (let at = history.length - 1; at >= 0 && missing.length > 0; at -= 1) {
    const commit = history[at];
    for (let i = missing.length - 1; i >= 0; i -= 1) if (commit.sha === missing[i] || commit.parents.includes(missing[i])) missing.splice(i, 1);
  }
  return missing.length === 0;
}

/** Commits by SHA, indexed only when a tip is among them (usually the boundary tag is not loaded at all). */
function lazyIndex(history: ConventionalCommit[]): (tip: string) => Map<string, ConventionalCommit> | undefined {
  let index: Map<string, ConventionalCommit> | undefined;
  return (tip) => {
    if (!index && !history.some((commit) => commit.sha === tip)) return undefined;
    index ??= new Map(history.map((commit) => [commit.sha, commit]));
    return index;
  };
}

/** The tip and its ancestors among the loaded commits (older ones were never loaded). */
function ancestorsWithin(indexFor: (tip: string) => Map<string, ConventionalCommit> | undefined, tip: string | undefined): Set<string> {
  const seen = new Set<string>();
  const bySha = tip ? indexFor(tip) : undefined;
  if (!tip || !bySha) return seen;
  const stack = [tip];
  while (stack.length > 0) {
    const sha = stack.pop() as string;
    const commit = bySha.get(sha);
    if (!commit || seen.has(sha)) continue;
    seen.add(sha);
    for (const parent of commit.parents) stack.push(parent);
  }
  return seen;
}

function touchesPath(path: string): (commit: ConventionalCommit) => boolean {
  if (path === ".") return () => true;
  const prefix = `${path}/`;
  return (commit) => commit.files.some((file) => file === path || file.startsWith(prefix));
}
