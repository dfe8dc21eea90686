/** Free 127.0.0.1 ports: asks the kernel for one and never hands out a port this runtime still holds. */

import { createServer } from "node:net";

export const loopback = "127.0.0.1";

/** A port the kernel says is free on 127.0.0.1 right now (the listener is closed again before it returns). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      const found = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(found));
    });
  });
}

export class PortAllocator {
  private readonly held = new Set<number>();

  async allocate(): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await freeLoopbackPort();
      if (port > 0 && !this.held.has(port)) {
        this.held.add(port);
        return port;
      }
    }
    throw new Error("no free port on 127.0.0.1");
  }

  /** Marks a fixed port as held (an ingress on a configured port). */
  hold(port: number): void {
    this.held.add(port);
  }

  /** Holds a fixed port unless this runtime holds it already (a Service's node port); false when it does. */
  tryHold(port: number): boolean {
    if (this.held.has(port)) return false;
    this.held.add(port);
    return true;
  }

  release(port: number): void {
    this.held.delete(port);
  }
}
