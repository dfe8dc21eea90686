/**
 * The ready upstreams of one Service port: round-robin choice, in-flight counts per upstream, and draining of upstreams that leave.
 * `PooledBalancer` is what the HTTP and TCP balancers share on top of it: the pool's upkeep and a listener on 127.0.0.1.
 */

import type { Server } from "node:net";
import { loopback } from "./ports";

export interface UpstreamTarget {
  /** The replica behind it; drain() waits per replica. */
  replica: string;
  port: number;
}

export interface Upstream<Extra> extends UpstreamTarget {
  key: string;
  inflight: number;
  removed: boolean;
  extra: Extra;
}

export class UpstreamPool<Extra> {
  private readonly active = new Map<string, Upstream<Extra>>();
  private readonly retired = new Map<string, Upstream<Extra>>();
  private readonly idleWaiters = new Map<string, (() => void)[]>();
  private cursor = 0;

  constructor(
    private readonly create: (target: UpstreamTarget) => Extra,
    /** Called when a removed upstream has nothing in flight any more (close its sockets). */
    private readonly dispose: (upstream: Upstream<Extra>) => void,
    /** Called right when an upstream leaves rotation (close its idle sockets). */
    private readonly onRemove: (upstream: Upstream<Extra>) => void,
  ) {}

  get size(): number {
    return this.active.size;
  }

  targets(): UpstreamTarget[] {
    return [...this.active.values()].map(({ replica, port }) => ({ replica, port }));
  }

  /** Replaces the set of upstreams; the ones that left stop receiving work at once and drain. */
  set(targets: UpstreamTarget[]): void {
    const wanted = new Map(targets.map((target) => [`${target.replica}:${target.port}`, target]));
    for (const [key, upstream] of this.active) {
      if (wanted.has(key)) continue;
      this.active.delete(key);
      upstream.removed = true;
      this.retired.set(key, upstream);
      this.onRemove(upstream);
      this.settle(upstream);
    }
    for (const [key, target] of wanted) {
      if (this.active.has(key)) continue;
      const revived = this.retired.get(key);
      if (revived) {
        this.retired.delete(key);
        revived.removed = false;
        this.active.set(key, revived);
        continue;
      }
      this.active.set(key, { ...target, key, inflight: 0, removed: false, extra: this.create(target) });
    }
  }

  /** Next upstream in rotation, preferring ones not yet tried; counts it as in flight. */
  acquire(tried: ReadonlySet<string> = new Set()): Upstream<Extra> | undefined {
    const list = [...this.active.values()];
    if (list.length === 0) return undefined;
    const fresh = list.filter((upstream) => !tried.has(upstream.key));
    const pool = fresh.length > 0 ? fresh : list;
    const chosen = pool[this.cursor++ % pool.length];
    chosen.inflight++;
    return chosen;
  }

  release(upstream: Upstream<Extra>): void {
    upstream.inflight--;
    this.settle(upstream);
  }

  private settle(upstream: Upstream<Extra>): void {
    if (!upstream.removed || upstream.inflight > 0) return;
    this.retired.delete(upstream.key);
    this.dispose(upstream);
    const replicaBusy = [...this.retired.values()].some((other) => other.replica === upstream.replica);
    if (replicaBusy) return;
    for (const wake of this.idleWaiters.get(upstream.replica) ?? []) wake();
    this.idleWaiters.delete(upstream.replica);
  }

  /** Resolves when nothing is in flight to the replica's removed upstreams (immediately if none); false on timeout. */
  drain(replica: string, timeoutMs: number): Promise<boolean> {
    const busy = [...this.retired.values()].some((upstream) => upstream.replica === replica);
    if (!busy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const waiters = this.idleWaiters.get(replica) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.idleWaiters.set(replica, waiters);
    });
  }

  /** Every upstream, active or draining (to close them all). */
  all(): Upstream<Extra>[] {
    return [...this.active.values(), ...this.retired.values()];
  }

  clear(): void {
    for (const upstream of this.all()) this.dispose(upstream);
    this.active.clear();
    this.retired.clear();
    for (const waiters of this.idleWaiters.values()) for (const wake of waiters) wake();
    this.idleWaiters.clear();
  }
}

/** A balancer in front of an `UpstreamPool`: subclasses make the listener and say how it shuts down. */
export abstract class PooledBalancer<Extra, Listener extends Server> {
  private listener: Listener | undefined;

  protected constructor(
    readonly name: string,
    protected readonly pool: UpstreamPool<Extra>,
  ) {}

  get readyCount(): number {
    return this.pool.size;
  }

  setUpstreams(targets: UpstreamTarget[]): void {
    this.pool.set(targets);
  }

  drain(replica: string, timeoutMs: number): Promise<boolean> {
    return this.pool.drain(replica, timeoutMs);
  }

  upstreams(): UpstreamTarget[] {
    return this.pool.targets();
  }

  /** Listens on 127.0.0.1:`port` (0: any free port) and returns the port it got. */
  async listen(port: number): Promise<number> {
    const listener = this.createListener();
    this.listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(port, loopback, () => resolve());
    });
    const address = listener.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await this.shutDown(listener);
    this.pool.clear();
  }

  protected abstract createListener(): Listener;

  /** Stops accepting and ends open connections (`undefined`: never listened). */
  protected abstract shutDown(listener: Listener | undefined): Promise<void>;
}
