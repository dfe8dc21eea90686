/** A Service port as a TCP load balancer on 127.0.0.1: each connection goes to the next ready replica; a refused connect tries another once. */

import { connect, createServer, type Server, type Socket } from "node:net";
import type { Balancer } from "./load-balancer";
import { loopback } from "./ports";
import { PooledBalancer, UpstreamPool } from "./upstream-pool";

export class TcpBalancer extends PooledBalancer<Set<Socket>, Server> implements Balancer {
  private readonly clients = new Set<Socket>();

  constructor(name: string) {
    super(
      name,
      new UpstreamPool<Set<Socket>>(
        () => new Set(),
        (upstream) => {
          for (const socket of upstream.extra) socket.destroy();
        },
        () => undefined, // open connections are in flight: they finish on their own or at the drain deadline
      ),
    );
  }

  private forward(client: Socket, tried: Set<string>, attempt: number): void {
    const upstream = this.pool.acquire(tried);
    if (!upstream) {
      client.destroy();
      return;
    }
    tried.add(upstream.key);
    const target = connect({ host: loopback, port: upstream.port, allowHalfOpen: true });
    upstream.extra.add(target);
    let connected = false;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      upstream.extra.delete(target);
      this.pool.release(upstream);
    };
    target.once("connect", () => {
      connected = true;
      client.pipe(target);
      target.pipe(client);
      client.resume();
    });
    target.once("error", (error: NodeJS.ErrnoException) => {
      release();
      if (!connected && attempt === 0 && error.code === "ECONNREFUSED") this.forward(client, tried, attempt + 1);
      else client.destroy();
    });
    target.once("close", () => {
      release();
      if (connected) client.destroy();
    });
    client.once("close", () => target.destroy());
  }

  protected createListener(): Server {
    return createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      this.clients.add(client);
      client.once("close", () => this.clients.delete(client));
      client.on("error", () => client.destroy());
      this.forward(client, new Set(), 0);
    });
  }

  protected async shutDown(server: Server | undefined): Promise<void> {
    for (const client of this.clients) client.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
