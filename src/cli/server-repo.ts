/** Which hosted repository a server command is about: `--repository owner/name`, else the origin remote's URL. */

import { gitMaybe } from "../git/git-cli";
import { SlipwayError } from "../core/errors";

export async function serverRepository(flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const remote = (await gitMaybe(["remote", "get-url", "origin"], process.cwd()))?.trim();
  const match = remote?.match(/\/git\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/);
  if (match) return `${match[1]}/${match[2]}`;
  throw new SlipwayError("USAGE", "Which repository? Pass --repository owner/name, or run this in a clone of a slipway-hosted repository.");
}
