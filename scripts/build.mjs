// Bundles the CLI (and benchmarks) with esbuild. GitHub's workflow parser imports JSON without
// import attributes, which plain Node ESM refuses; bundling resolves that once at build time.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const bundled = new Set(["@actions/workflow-parser", "@actions/expressions"]);
const external = Object.keys(pkg.dependencies).filter((name) => !bundled.has(name));

const entryPoints = { slipway: "src/cli/main.ts" };
// Every bench/<name>.ts becomes dist/bench/<name>.js.
if (existsSync("bench")) {
  for (const file of readdirSync("bench").filter((f) => f.endsWith(".ts"))) entryPoints[`bench/${file.slice(0, -3)}`] = `bench/${file}`;
}

await build({
  entryPoints,
  outdir: "dist",
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external,
  logLevel: "warning",
  banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
  define: { SLIPWAY_VERSION: JSON.stringify(pkg.version) },
});
