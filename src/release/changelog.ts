/** CHANGELOG.md sections in the conventional-changelog shape, newest release on top. */

import type { ConventionalCommit } from "./conventional-commit";

export interface ChangelogInput {
  version: string;
  /** The previous tag and this one, for the compare link. */
  previousTag?: string;
  tag: string;
  /** YYYY-MM-DD. */
  date: string;
  /** Commits of the release, newest first, reverted pairs already removed. */
  commits: ConventionalCommit[];
  repositoryUrl?: string;
}

const sections: { title: string; types: string[] }[] = [
  { title: "Features", types: ["feat", "feature"] },
  { title: "Bug Fixes", types: ["fix"] },
  { title: "Performance", types: ["perf"] },
  { title: "Reverts", types: ["revert"] },
];

export const changelogTitle = "# Changelog";

/** One release's section: heading, BREAKING CHANGES, then Features, Bug Fixes, Performance, Reverts. */
export function renderChangelogSection(input: ChangelogInput): string {
  const url = input.repositoryUrl;
  const compare = url && input.previousTag ? `${url}/compare/${input.previousTag}...${input.tag}` : undefined;
  const lines = [`## ${compare ? `[${input.version}](${compare})` : input.version} (${input.date})`];
  const breaking = input.commits.flatMap((commit) => commit.breakingNotes.map((note) => entry(commit, note, url, false)));
  if (breaking.length > 0) lines.push("", "### BREAKING CHANGES", "", ...breaking);
  for (const section of sections) {
    const entries = input.commits.filter((commit) => !commit.isMerge && commit.type && section.types.includes(commit.type)).map((commit) => entry(commit, commit.subject, url, true));
    if (entries.length > 0) lines.push("", `### ${section.title}`, "", ...entries);
  }
  return `${lines.join("\n")}\n`;
}

function entry(commit: ConventionalCommit, text: string, url: string | undefined, withReferences: boolean): string {
  const scope = commit.scope ? `**${commit.scope}:** ` : "";
  const parts = [`* ${scope}${text}`];
  if (withReferences && commit.pullRequest !== undefined) parts.push(`(${link(`#${commit.pullRequest}`, url && `${url}/pull/${commit.pullRequest}`)})`);
  parts.push(`(${link(commit.sha.slice(0, 7), url && `${url}/commit/${commit.sha}`)})`);
  let line = parts.join(" ");
  if (withReferences && commit.references.length > 0) {
    line += `, closes ${commit.references.map((issue) => link(`#${issue}`, url && `${url}/issues/${issue}`)).join(" ")}`;
  }
  return line;
}

function link(text: string, href: string | undefined): string {
  return href ? `[${text}](${href})` : text;
}

/** The new section goes under the `# Changelog` title, above every older release; a missing file starts one. */
export function prependToChangelog(existing: string | undefined, section: string): string {
  if (!existing || existing.trim() === "") return `${changelogTitle}\n\n${section}`;
  const normalized = existing.replace(/\r\n/g, "\n");
  const firstRelease = normalized.search(/^## /m);
  if (firstRelease === -1) return `${normalized.replace(/\n*$/, "")}\n\n${section}`;
  return `${normalized.slice(0, firstRelease)}${section}\n${normalized.slice(firstRelease)}`;
}
