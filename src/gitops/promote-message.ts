/** The promotion commit message: `deploy(web): v1.2.0 to staging` and Slipway-* trailers a controller or human can grep. */

export interface PromoteMessageFields {
  service: string;
  version: string;
  env: string;
  newImage: string;
  previousImage?: string;
  sourceCommit?: string;
  runId?: string;
  actor: string;
}

export function promoteCommitMessage(fields: PromoteMessageFields): string {
  const body = fields.previousImage ? `${fields.previousImage} → ${fields.newImage}` : `image ${fields.newImage}`;
  const trailers = [
    `Slipway-Service: ${fields.service}`,
    `Slipway-Version: ${fields.version}`,
    `Slipway-Environment: ${fields.env}`,
    fields.sourceCommit ? `Slipway-Source-Commit: ${fields.sourceCommit}` : undefined,
    fields.runId ? `Slipway-Run: ${fields.runId}` : undefined,
    `Slipway-Actor: ${fields.actor}`,
  ].filter((line): line is string => line !== undefined);
  return `deploy(${fields.service}): v${fields.version} to ${fields.env}\n\n${body}\n\n${trailers.join("\n")}\n`;
}

/** The trailers of a promotion commit message, by key. */
export function parsePromoteTrailers(message: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const match of message.matchAll(/^Slipway-([A-Za-z-]+): (.+)$/gm)) trailers[match[1] as string] = (match[2] as string).trim();
  return trailers;
}
