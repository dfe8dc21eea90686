/** Built-in actions, addressed as `slipway/<name>@…`; some of GitHub's own actions map onto them. */

import type { BuiltinAction } from "../action-request";

const registry = new Map<string, BuiltinAction>();

export function registerBuiltinAction(action: BuiltinAction): void {
  registry.set(action.name, action);
}

export function builtinAction(name: string): BuiltinAction | undefined {
  return registry.get(name);
}

export function builtinActionNames(): string[] {
  return [...registry.keys()].sort();
}

/** GitHub actions that slipway runs with its own implementation (any version). */
const mappedActions: Record<string, string> = {
  "actions/checkout": "checkout",
  "actions/cache": "cache",
  "actions/cache/restore": "cache-restore",
  "actions/cache/save": "cache-save",
  "actions/upload-artifact": "upload-artifact",
  "actions/download-artifact": "download-artifact",
};

/** The built-in name for a `uses:` value, or undefined when it is not built in. */
export function builtinNameFor(uses: string): string | undefined {
  const [path] = uses.split("@");
  if (path === undefined) return undefined;
  if (path.startsWith("slipway/")) return path.slice("slipway/".length);
  return mappedActions[path.toLowerCase()];
}
