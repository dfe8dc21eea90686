/** Terminal styling: colours only on a TTY (and never with NO_COLOR), durations, state symbols. */

import type { Conclusion, RunStatus } from "../../workflow/conclusions";

const enabled = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";

export interface Style {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  cyan(text: string): string;
}

function wrap(open: number, close: number, on: boolean) {
  return (text: string): string => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
}

export function styleFor(stream: NodeJS.WriteStream = process.stdout): Style {
  const on = enabled(stream);
  return { green: wrap(32, 39, on), red: wrap(31, 39, on), yellow: wrap(33, 39, on), dim: wrap(2, 22, on), bold: wrap(1, 22, on), cyan: wrap(36, 39, on) };
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Math.round(seconds % 60)}s`;
}

export function stateSymbol(status: RunStatus, conclusion: Conclusion | null | undefined, style: Style): string {
  if (status !== "completed") return status === "in_progress" ? style.yellow("●") : style.dim("○");
  switch (conclusion) {
    case "success":
      return style.green("✓");
    case "failure":
      return style.red("✗");
    case "cancelled":
      return style.yellow("⊘");
    default:
      return style.dim("–");
  }
}

export function stateLabel(status: RunStatus, conclusion: Conclusion | null | undefined): string {
  return status === "completed" ? (conclusion ?? "unknown") : status;
}

/** A plain text table: columns padded to their widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - visibleLength(c)))).join("  ");
  return [line(headers), ...rows.map(line)].join("\n");
}

function visibleLength(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
