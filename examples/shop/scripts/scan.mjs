// Dependency and secret scan: fails on committed private keys and cloud or chat tokens, and on dependencies that
// bypass the registry (git, http or file sources) or are known to be malicious. Prints file:line: finding.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const skipped = new Set([".git", "node_modules"]);

export const secretRules = [
  { name: "a private key", pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
  { name: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "an AWS secret access key", pattern: /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/i },
  { name: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
];

/** Packages withdrawn from npm for shipping malware (a small, illustrative list). */
export const knownBad = new Map([["event-stream", "3.3.6"], ["flatmap-stream", "*"], ["ua-parser-js", "0.7.29"], ["coa", "2.0.3"], ["rc", "1.2.9"]]);

export function secretFindings(text) {
  const findings = [];
  text.split("\n").forEach((line, index) => {
    for (const rule of secretRules) if (rule.pattern.test(line)) findings.push({ line: index + 1, message: `looks like ${rule.name}` });
  });
  return findings;
}

/** Findings in one package.json: sources outside the registry, known-bad versions. */
export function dependencyFindings(manifest) {
  const findings = [];
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(git\+|git:|github:|https?:|file:)/.test(String(range))) findings.push(`${field}.${name}: "${range}" bypasses the registry`);
      const bad = knownBad.get(name);
      if (bad && (bad === "*" || String(range).replace(/^[~^=]/, "") === bad)) findings.push(`${field}.${name}@${range} is a known malicious release`);
    }
  }
  return findings;
}

export function scan(root) {
  const findings = [];
  let files = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      files += 1;
      const text = readFileSync(path, "utf8");
      const name = relative(root, path);
      for (const finding of secretFindings(text)) findings.push(`${name}:${finding.line}: ${finding.message}`);
      if (entry.name === "package.json") {
        try {
          for (const finding of dependencyFindings(JSON.parse(text))) findings.push(`${name}: ${finding}`);
        } catch {
          findings.push(`${name}: not valid JSON`);
        }
      }
    }
  };
  walk(root);
  return { files, findings };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, findings } = scan(process.argv[2] ?? process.cwd());
  for (const finding of findings) console.log(finding);
  console.log(findings.length === 0 ? `scan: ${files} files, no secrets, dependencies clean` : `scan: ${findings.length} finding(s)`);
  process.exit(findings.length === 0 ? 0 : 1);
}
