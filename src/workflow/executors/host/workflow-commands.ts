/** Parses `::command key=value,…::message` workflow commands with GitHub's percent-escaping. */

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const commandMarker = "::";

const dataUnescapes: Record<string, string> = { "%25": "%", "%0D": "\r", "%0A": "\n" };
const propertyUnescapes: Record<string, string> = { ...dataUnescapes, "%3A": ":", "%2C": "," };

/** One pass, so `%250A` becomes the text `%0A`, not a newline. */
export function unescapeCommandData(text: string): string {
  return text.replace(/%(?:25|0D|0A)/g, (match) => dataUnescapes[match]);
}

export function unescapeCommandProperty(text: string): string {
  return text.replace(/%(?:25|0D|0A|3A|2C)/g, (match) => propertyUnescapes[match]);
}

/** What @actions/core does before printing a message. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * Parses one output line, as GitHub's runner does: leading whitespace is ignored, the command name runs to the
 * first space, properties are comma separated `key=value` pairs (pairs without `=` or with an empty side are
 * dropped), and the message is everything after the second `::`. Returns undefined for ordinary lines.
 */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const text = line.trimStart();
  if (!text.startsWith(commandMarker)) return undefined;
  const infoEnd = text.indexOf(commandMarker, commandMarker.length);
  if (infoEnd < 0) return undefined;
  const info = text.slice(commandMarker.length, infoEnd);
  const space = info.indexOf(" ");
  const command = space < 0 ? info : info.slice(0, space);
  if (command === "") return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).trim().split(",")) {
      const equals = pair.indexOf("=");
      if (equals <= 0 || equals === pair.length - 1) continue;
      properties[pair.slice(0, equals)] = unescapeCommandProperty(pair.slice(equals + 1));
    }
  }
  return { command, properties, message: unescapeCommandData(text.slice(infoEnd + commandMarker.length)) };
}
