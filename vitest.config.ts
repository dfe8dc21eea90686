import { createLogger } from "vite";
import { defineConfig } from "vitest/config";

// GitHub's parser ships source maps without their sources; Vite warns about each file once. Not ours to fix.
const logger = createLogger();
const warn = logger.warn.bind(logger);
logger.warn = (message, options) => {
  if (message.includes("points to missing source files")) return;
  warn(message, options);
};

export default defineConfig({
  customLogger: logger,
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // GitHub's parser imports JSON without import attributes: let Vite transform it.
    server: { deps: { inline: [/@actions\//] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
