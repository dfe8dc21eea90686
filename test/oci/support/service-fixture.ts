/** A small Node service directory for builder tests: package.json, a lock file, node_modules and sources. */

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const serviceSource = `const http = require("node:http");
const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ service: "hello", version: process.env.APP_VERSION || "dev", path: req.url }));
}).listen(port, "127.0.0.1", () => console.log("listening on " + port));
`;

export async function makeServiceDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-service-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "hello", version: "1.0.0", main: "server.js" }, null, 2));
  await writeFile(join(dir, "package-lock.json"), JSON.stringify({ name: "hello", lockfileVersion: 3, packages: {} }));
  await mkdir(join(dir, "node_modules", "left-pad"), { recursive: true });
  await writeFile(join(dir, "node_modules", "left-pad", "index.js"), "module.exports = (s, n) => String(s).padStart(n);\n");
  await mkdir(join(dir, ".git"), { recursive: true });
  await writeFile(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
  await writeFile(join(dir, "server.js"), serviceSource);
  await mkdir(join(dir, "lib"), { recursive: true });
  await writeFile(join(dir, "lib", "greeting.js"), "module.exports = 'hello';\n");
  await writeFile(join(dir, "secret.env"), "TOKEN=do-not-ship\n");
  await writeFile(join(dir, ".dockerignore"), "# local only\n*.env\n");
  return dir;
}
