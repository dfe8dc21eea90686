/** Starts the embedded registry on 127.0.0.1 for a test, with a token map as its auth. */

import Fastify, { type FastifyInstance } from "fastify";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OciStore } from "../../../src/oci/oci-store";
import { basicPassword, bearerToken } from "../../../src/oci/registry/registry-auth";
import { registryPlugin, type RegistryAuth } from "../../../src/oci/registry/plugin";

export interface TestRegistry {
  host: string;
  url: string;
  store: OciStore;
  dir: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Tokens → users; `admin` may do anything, `reader` only pull; repositories under `public/` pull anonymously. */
export function tokenMapAuth(tokens: Record<string, string>, readers: string[] = []): RegistryAuth {
  return {
    authenticate(header) {
      const token = basicPassword(header) ?? bearerToken(header);
      const user = token === undefined ? undefined : tokens[token];
      return user === undefined ? undefined : { user };
    },
    authorize(user, repository, action) {
      if (user === undefined) return false;
      if (readers.includes(user)) return action === "pull";
      return repository.length > 0;
    },
    isPublic: (repository) => repository.startsWith("public/"),
  };
}

export async function startTestRegistry(options: { maxUploadBytes?: number; dir?: string } = {}): Promise<TestRegistry> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "slipway-registry-")));
  const store = await OciStore.open(dir);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(registryPlugin, { store, auth: tokenMapAuth({ "secret-token": "admin", "read-token": "reader" }, ["reader"]), maxUploadBytes: options.maxUploadBytes });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    store,
    dir,
    app,
    async close() {
      await app.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
