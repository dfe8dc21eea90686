/** The e2e delivery world: web images v1.0.0, v1.1.0 and a broken v1.2.0 in the server's registry, and an env repo deploying web to dev and staging. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildImage } from "../../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../../src/oci/client/image-transfer";
import { RegistryClient } from "../../../src/oci/client/registry-client";
import { OciStore } from "../../../src/oci/oci-store";
import { webApplicationYaml, webDeploymentYaml } from "../../support/delivery-manifests";

const imageContext = fileURLToPath(new URL("../../e2e/fixtures/web-image", import.meta.url));

/** Builds web:vVERSION (node /app/server.mjs, VERSION and BROKEN baked into its Env) and pushes it to `host`/`repository`. */
export async function pushWebImages(host: string, user: string, token: string, repository: string, versions: Array<{ version: string; broken?: boolean }>): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "slipway-web-images-"));
  try {
    const store = await OciStore.open(scratch);
    const client = new RegistryClient({ registry: host, credentials: { username: user, password: token } });
    for (const { version, broken } of versions) {
      const tag = `v${version}`;
      const env: Record<string, string> = { VERSION: version, ...(broken ? { BROKEN: "1" } : {}) };
      await buildImage(store, { contextDir: imageContext, tag: `web:${tag}`, base: "scratch", entrypoint: ["node", "/app/server.mjs"], env, version, sourceDateEpoch: 1 });
      await pushImageFromStore(store, "web", tag, client, repository, [tag]);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function application(env: string): string {
  return webApplicationYaml({ name: `web-${env}`, repo: "acme/deploy", env, destination: "name: local" });
}

export function deployment(image: string): string {
  return webDeploymentYaml({
    header: "# web (image written by slipway promote)",
    image,
    replicas: 1,
    progressDeadlineSeconds: 8,
    terminationGracePeriodSeconds: 2,
    readiness: { failureThreshold: 1 },
  });
}

/** The app repo's workflow: build → test on every push and pull request; on main, deploy promotes `version` to dev. */
export function shopWorkflow(host: string, version: string): string {
  return `name: ci
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::group::Toolchain" && node --version && echo "::endgroup::"
      - run: printf '\\033[32mbuild ok\\033[0m for ${version}\\n' && sleep 5
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "tests passed" && sleep 1
  deploy:
    needs: [build, test]
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/promote
        with:
          service: web
          version: "${version}"
          environment: dev
          env-repo: http://deploy:\${{ secrets.DEPLOY_TOKEN }}@${host}/git/acme/deploy.git
          image: ${host}/acme/shop/web
          username: deploy
          token: \${{ secrets.DEPLOY_TOKEN }}
`;
}
