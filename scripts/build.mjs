// Bundles the CLI (and benchmarks) with esbuild. GitHub's workflow parser imports JSON without
// import attributes, which plain Node ESM refuses; bundling resolves that once at build time.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const bundled = new Set(["@actions/workflow-parser", "@actions/expressions"]);
// playwright-core drives Chromium from bench/dashboard.ts: loaded from node_modules, never bundled.
const external = [...Object.keys(pkg.dependencies).filter((name) => !bundled.has(name)), "playwright-core"];

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

// The dashboard (web/) → dist/web with Vite; skipped when dist/web is newer than every web/ source.
const newestSource = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
  const path = `${dir}/${entry.name}`;
  return Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
}, 0);
const builtAt = existsSync("dist/web/index.html") ? statSync("dist/web/index.html").mtimeMs : 0;
if (existsSync("web/vite.config.ts") && (process.env.SLIPWAY_BUILD_WEB === "1" || newestSource("web") > builtAt)) {
  const { build: viteBuild } = await import("vite");
  await viteBuild({ configFile: "web/vite.config.ts", logLevel: "warn" });
}
