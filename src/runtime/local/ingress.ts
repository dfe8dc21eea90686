/** A namespace's HTTP entry point on 127.0.0.1 (for example dev on 8080): routes by host and path to the Services' balancers. */

import { createServer, type Server } from "node:http";
import type { IngressBackend, IngressSpec } from "../types";
import { sendPlain, type HttpBalancer } from "./load-balancer";
import { matchRoute } from "./ingress-routes";
import { loopback } from "./ports";

export interface BackendResolver {
  /** The HTTP balancer for a Service port given by number or name, or a reason it cannot serve. */
  balancerFor(backend: IngressBackend): HttpBalancer | string;
  ingresses(): IngressSpec[];
}

export class IngressEntryPoint {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly namespace: string,
    private readonly resolver: BackendResolver,
  ) {}

  get url(): string {
    return `http://${loopback}:${this.port}`;
  }

  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      const route = matchRoute(this.resolver.ingresses(), req.headers.host, req.url ?? "/");
      if (!route) {
        sendPlain(res, 404, `slipway ingress (namespace ${this.namespace}): no rule matches host "${req.headers.host ?? ""}" and path "${req.url ?? "/"}"\n`);
        return;
      }
      const balancer = this.resolver.balancerFor(route.backend);
      if (typeof balancer === "string") {
        sendPlain(res, 503, `slipway ingress (namespace ${this.namespace}, ingress ${route.ingress}): ${balancer}\n`);
        return;
      }
      balancer.handle(req, res);
    });
    server.keepAliveTimeout = 30_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, loopback, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
