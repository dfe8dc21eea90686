/**
 * `concurrency` groups with GitHub's rules: one running and at most one pending per group; a newer
 * pending entry cancels the older pending one; `cancel-in-progress` cancels the running one.
 */

import type { JsonObject } from "../../core/json";
import { evaluateTemplate, evaluateToString } from "../expressions";
import type { ConcurrencyDefinition } from "../model";

export interface ConcurrencyHolder {
  /** Cancel this holder's work (a run or a job); it releases the group when it has stopped. */
  cancel(reason: string): void;
}

export type ConcurrencyRelease = () => void;

interface Waiter {
  holder: ConcurrencyHolder;
  start: (release: ConcurrencyRelease | undefined) => void;
}

interface GroupState {
  running?: ConcurrencyHolder;
  pending?: Waiter;
}

export class ConcurrencyGroups {
  private readonly groups = new Map<string, GroupState>();

  /**
   * Waits for the group. Resolves with a release function, or with undefined when this entry was
   * superseded (cancelled) while it was pending.
   */
  acquire(group: string, cancelInProgress: boolean, holder: ConcurrencyHolder): Promise<ConcurrencyRelease | undefined> {
    const state = this.groups.get(group) ?? {};
    this.groups.set(group, state);
    if (state.pending) {
      state.pending.holder.cancel(`Canceling since a higher priority waiting request for '${group}' exists`);
      state.pending.start(undefined);
      state.pending = undefined;
    }
    if (!state.running) {
      state.running = holder;
      return Promise.resolve(this.releaser(group, holder));
    }
    if (cancelInProgress) state.running.cancel(`Canceling since a higher priority waiting request for '${group}' exists`);
    return new Promise((resolve) => {
      state.pending = { holder, start: resolve };
    });
  }

  /** Groups with work running, for tests and the API. */
  busyGroups(): string[] {
    return [...this.groups.entries()].filter(([, s]) => s.running).map(([g]) => g);
  }

  private releaser(group: string, holder: ConcurrencyHolder): ConcurrencyRelease {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const state = this.groups.get(group);
      if (!state || state.running !== holder) return;
      state.running = undefined;
      const next = state.pending;
      state.pending = undefined;
      if (next) {
        state.running = next.holder;
        next.start(this.releaser(group, next.holder));
      } else {
        this.groups.delete(group);
      }
    };
  }
}

/** The evaluated group name and cancel-in-progress flag of a workflow's or a job's `concurrency`. */
export function concurrencySettings(def: ConcurrencyDefinition, contexts: JsonObject): { group: string; cancelInProgress: boolean } {
  const group = evaluateToString(def.group, contexts);
  const cancelInProgress = evaluateTemplate(def.cancelInProgress, contexts) === true;
  return { group, cancelInProgress };
}
