/** Versions out of tags: which tags belong to a service, its latest release by semver, versions taken. */

import semver from "semver";

export interface TagRef {
  name: string;
  /** The tagged commit (peeled for annotated tags). */
  commit: string;
}

export interface TaggedVersion {
  version: string;
  tag: string;
  commit: string;
}

export interface ServiceTagState {
  /** Highest stable version among tags in HEAD's history. */
  latestStable?: TaggedVersion;
  /** Highest of the stable versions and this channel's prereleases in HEAD's history. */
  latestRelease?: TaggedVersion;
  /** Every version of the service tagged anywhere, with its tag. */
  taken: Map<string, TaggedVersion>;
}

/** The version in `<prefix>X.Y.Z[-pre]`, or undefined when the tag is not the service's. */
export function versionFromTag(tag: string, prefix: string): string | undefined {
  if (!tag.startsWith(prefix)) return undefined;
  const rest = tag.slice(prefix.length);
  return semver.valid(rest) === rest ? rest : undefined;
}

export function tagForVersion(prefix: string, version: string): string {
  return `${prefix}${version}`;
}

/**
 * `isMerged` tells the tags whose commit is in HEAD's history: only those count as released on this
 * branch; all tags count as taken. Prereleases of other channels are ignored for "latest".
 */
export function serviceTagState(tags: TagRef[], isMerged: (tag: string) => boolean, prefix: string, channel?: string): ServiceTagState {
  const state: ServiceTagState = { taken: new Map() };
  for (const tag of tags) {
    const version = versionFromTag(tag.name, prefix);
    if (!version) continue;
    const tagged = { version, tag: tag.name, commit: tag.commit };
    state.taken.set(version, tagged);
    if (!isMerged(tag.name)) continue;
    const prerelease = semver.prerelease(version);
    if (!prerelease) {
      if (!state.latestStable || semver.gt(version, state.latestStable.version)) state.latestStable = tagged;
    } else if (prerelease[0] !== channel) {
      continue;
    }
    if (!state.latestRelease || semver.gt(version, state.latestRelease.version)) state.latestRelease = tagged;
  }
  return state;
}
