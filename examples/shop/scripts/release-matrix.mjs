// Turns slipway/release's `releases` output into a job matrix of the services released by this run:
// prints `matrix=[{"service":"auth","version":"1.1.0"},…]` and `count=N` for $GITHUB_OUTPUT.
import { fileURLToPath } from "node:url";

export function releasedServices(releasesJson) {
  const releases = JSON.parse(releasesJson || "[]");
  if (!Array.isArray(releases)) throw new Error("releases must be a JSON list");
  return releases.filter((release) => release.released && release.service && release.version).map((release) => ({ service: release.service, version: release.version }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const matrix = releasedServices(process.argv[2] ?? process.env.RELEASES ?? "[]");
  console.log(`matrix=${JSON.stringify(matrix)}`);
  console.log(`count=${matrix.length}`);
}
