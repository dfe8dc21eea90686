// auth service entry point: serves the app on PORT (default 8080) and stops cleanly on SIGTERM.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { handle } from "./app.js";

export function start(port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? "127.0.0.1") {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await start();
  console.log(`auth listening on ${JSON.stringify(server.address())}`);
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}
