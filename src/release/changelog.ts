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
const sectionOfType = new Map(sections.flatMap((section, index) => section.types.map((type) => [type, index] as const)));

export const changelogTitle = "# Changelog";

/** One release's section: heading, BREAKING CHANGES, then Features, Bug Fixes, Performance, Reverts. One pass over the commits. */
export function renderChangelogSection(input: ChangelogInput): string {
  const url = input.repositoryUrl;
  const compare = url && input.previousTag ? `${url}/compare/${input.previousTag}...${input.tag}` : undefined;
  // Appending builds ropes that are flattened once at the end: linear in the changelog's length.
  let breaking = "";
  const entries = sections.map(() => "");
  for (const commit of input.commits) {
    for (const note of commit.breakingNotes) breaking += entry(commit, note, url, false);
    const section = commit.isMerge || !commit.type ? undefined : sectionOfType.get(commit.type);
    if (section !== undefined) entries[section] += entry(commit, commit.subject, url, true);
  }
  let text = `## ${compare ? `[${input.version}](${compare})` : input.version} (${input.date})\n`;
  if (breaking) text += `\n### BREAKING CHANGES\n\n${breaking}`;
  sections.forEach((section, index) => {
    if (entries[index]) text += `\n### ${section.title}\n\n${entries[index]}`;
  });
  return text;
}

/** One list item, newline-terminated. */
function entry(commit: ConventionalCommit, text: string, url: string | undefined, withReferences: boolean): string {
  const short = commit.sha.slice(0, 7);
  let line = commit.scope ? `* **${commit.scope}:** ${text}` : `* ${text}`;
  if (withReferences && commit.pullRequest !== undefined) line += url ? ` ([#${commit.pullRequest}](${url}/pull/${commit.pullRequest}))` : ` (#${commit.pullRequest})`;
  line += url ? ` ([${short}](${url}/commit/${commit.sha}))` : ` (${short})`;
  if (withReferences && commit.references.length > 0) {
    line += ", closes";
    for (const issue of commit.references) line += url ? ` [#${issue}](${url}/issues/${issue})` : ` #${issue}`;
  }
  return `${line}\n`;
}

/** The new section goes under the `# Changelog` title, above every older release; a missing file starts one. */
export function prependToChangelog(existing: string | undefined, section: string): string {
  if (!existing || existing.trim() === "") return `${changelogTitle}\n\n${section}`;
  const normalized = existing.replace(/\r\n/g, "\n");
  const firstRelease = normalized.search(/^## /m);
  if (firstRelease === -1) return `${normalized.replace(/\n*$/, "")}\n\n${section}`;
  return `${normalized.slice(0, firstRelease)}${section}\n${normalized.slice(firstRelease)}`;
}
