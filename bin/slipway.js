#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/slipway.js", import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write("slipway: the CLI is not built yet; run `npm run build` in the slipway checkout.\n");
  process.exit(2);
}
await import(bundle);
