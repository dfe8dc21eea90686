/** When a commit was made (committer time), looked up in the hosted repositories with `git show`; memoized, for DORA's lead time. */

import { gitMaybe } from "../git/git-cli";

/** A resolver over the bare repositories `repoDirs()` lists; unknown commits resolve to undefined. */
export function commitTimeResolver(repoDirs: () => Promise<string[]>): (commit: string) => Promise<number | undefined> {
  const known = new Map<string, number | undefined>();
  return async (commit) => {
    if (!/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
    if (known.has(commit)) return known.get(commit);
    let time: number | undefined;
    for (const dir of await repoDirs()) {
      const out = await gitMaybe(["show", "-s", "--format=%ct", `${commit}^{commit}`], dir);
      if (out && /^\d+$/.test(out.trim())) {
        time = Number(out.trim()) * 1000;
        break;
      }
    }
    known.set(commit, time);
    return time;
  };
}
