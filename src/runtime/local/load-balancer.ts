/** A Service port as an HTTP load balancer on 127.0.0.1: round-robin over ready replicas, drains replicas that leave, retries a request once when its upstream just went away. */

import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { loopback } from "./ports";
import { PooledBalancer, UpstreamPool, type Upstream, type UpstreamTarget } from "./upstream-pool";

const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade"]);
const idempotent = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

export interface Balancer {
  readonly name: string;
  readonly readyCount: number;
  setUpstreams(targets: UpstreamTarget[]): void;
  drain(replica: string, timeoutMs: number): Promise<boolean>;
  upstreams(): UpstreamTarget[];
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

function forwardHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
  const prior = req.headers["x-forwarded-for"];
  const client = req.socket.remoteAddress ?? "";
  headers["x-forwarded-for"] = prior ? `${String(prior)}, ${client}` : client;
  headers["x-forwarded-host"] ??= req.headers.host;
  headers["x-forwarded-proto"] ??= "http";
  return headers;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

export function sendPlain(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export class HttpBalancer extends PooledBalancer<Agent, Server> implements Balancer {
  /** Requests served and upstream attempts that failed, for tests and metrics. */
  readonly stats = { requests: 0, retries: 0, failures: 0 };

  constructor(name: string) {
    super(
      name,
      new UpstreamPool<Agent>(
        // Idle upstream sockets close after 4 s, before Node's default 5 s server keep-alive timeout can race a reuse.
        () => new Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 }),
        (upstream) => upstream.extra.destroy(),
        (upstream) => {
          // Idle keep-alive sockets to a leaving upstream must never be reused.
          for (const sockets of Object.values(upstream.extra.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
        },
      ),
    );
  }

  /** Proxies one request; used by this balancer's own port and, in process, by the ingress. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    this.attempt(req, res, new Set(), 0);
  }

  private attempt(req: IncomingMessage, res: ServerResponse, tried: Set<string>, attempt: number): void {
    const upstream = this.pool.acquire(tried);
    if (!upstream) {
      this.stats.failures++;
      sendPlain(res, 503, `slipway: service ${this.name} has no ready replica\n`);
      return;
    }
    tried.add(upstream.key);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.pool.release(upstream);
    };
    let bodyStarted = false;
    let responded = false;
    const proxyReq = request({ host: loopback, port: upstream.port, method: req.method, path: req.url, headers: forwardHeaders(req), agent: upstream.extra });
    const beginBody = (): void => {
      bodyStarted = true;
      if (req.readableEnded) proxyReq.end();
      else req.pipe(proxyReq);
    };
    // The body is read only once connected: a refused connection can then be retried for any method.
    proxyReq.on("socket", (socket: Socket) => (socket.connecting ? socket.once("connect", beginBody) : beginBody()));
    proxyReq.on("response", (upstreamRes) => {
      responded = true;
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers);
      upstreamRes.pipe(res);
      upstreamRes.once("end", release);
      upstreamRes.once("error", () => {
        release();
        res.destroy();
      });
    });
    proxyReq.on("error", (error: NodeJS.ErrnoException) => {
      release();
      if (responded || res.destroyed) return;
      if (attempt === 0 && this.retryable(error, req, bodyStarted)) {
        this.stats.retries++;
        this.attempt(req, res, tried, attempt + 1);
        return;
      }
      this.stats.failures++;
      sendPlain(res, 502, `slipway: service ${this.name}: upstream ${upstream.key} failed: ${error.message}\n`);
    });
    res.once("close", () => {
      if (!res.writableFinished) proxyReq.destroy();
      if (!responded) return;
      release();
    });
  }

  /** A refused connect never reached the app; a reset before any response is retried only for idempotent requests without a body. */
  private retryable(error: NodeJS.ErrnoException, req: IncomingMessage, bodyStarted: boolean): boolean {
    if (error.code === "ECONNREFUSED" && !bodyStarted) return true;
    const reset = error.code === "ECONNRESET" || error.code === "EPIPE" || error.message === "socket hang up";
    return reset && idempotent.has(req.method ?? "GET") && !hasBody(req);
  }

  protected createListener(): Server {
    return createServer((req, res) => this.handle(req, res));
  }

  protected async shutDown(server: Server | undefined): Promise<void> {
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** For tests: every upstream known, active or draining. */
  inflight(): Pick<Upstream<Agent>, "key" | "inflight" | "removed">[] {
    return this.pool.all().map(({ key, inflight, removed }) => ({ key, inflight, removed }));
  }
}
