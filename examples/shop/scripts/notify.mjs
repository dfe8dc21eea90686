// Release notification: one line to the log and the job summary, and a Slack-style JSON POST when
// NOTIFY_WEBHOOK_URL is set. Usage: node scripts/notify.mjs STATUS "message"
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function notification(status, message, env = process.env) {
  const icon = status === "success" ? "✅" : status === "failure" ? "❌" : "ℹ️";
  const where = env.GITHUB_REPOSITORY ? ` (${env.GITHUB_REPOSITORY} run ${env.GITHUB_RUN_ID ?? "?"})` : "";
  return `${icon} ${message}${where}`;
}

export async function notify(status, message, env = process.env) {
  const text = notification(status, message, env);
  console.log(text);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${text}\n`);
  if (env.NOTIFY_WEBHOOK_URL) {
    const response = await fetch(env.NOTIFY_WEBHOOK_URL, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [status = "info", ...words] = process.argv.slice(2);
  await notify(status, words.join(" ") || "(no message)");
}
