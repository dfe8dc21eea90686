/** Cost-saving schedules per environment (uptime window, excluded apps, a manual sleep/wake override) and the sleep periods that happened. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import type { Database, EnvironmentSchedulesTable, EnvironmentSleepsTable } from "./schema";
import { parseJsonText, storeOperation, toJsonText } from "./store-operation";

export type PowerState = "asleep" | "awake";

export interface EnvironmentScheduleRecord {
  environment: string;
  /** e.g. `Mon-Fri 08:00-19:00 Europe/Berlin`; null = always up unless overridden. */
  uptime: string | null;
  /** Applications that never sleep. */
  exclusions: string[];
  override: { state: PowerState; until: number | null } | null;
  updatedAt: number;
}

export interface SleepRecord {
  id: number;
  environment: string;
  /** Replicas git asks for, per `app/deployment`, when the sleep began. */
  replicas: Record<string, number>;
  reason: string;
  startedAt: number;
  endedAt: number | null;
}

const toSchedule = (row: Selectable<EnvironmentSchedulesTable>): EnvironmentScheduleRecord => ({
  environment: row.environment,
  uptime: row.uptime,
  exclusions: parseJsonText<string[]>(row.exclusions_json, []),
  override: row.override_state === "asleep" || row.override_state === "awake"
    ? { state: row.override_state, until: row.override_until === null ? null : Number(row.override_until) }
    : null,
  updatedAt: Number(row.updated_at),
});

const toSleep = (row: Selectable<EnvironmentSleepsTable>): SleepRecord => ({
  id: Number(row.id),
  environment: row.environment,
  replicas: parseJsonText<Record<string, number>>(row.replicas_json, {}),
  reason: row.reason,
  startedAt: Number(row.started_at),
  endedAt: row.ended_at === null ? null : Number(row.ended_at),
});

export class ScheduleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  list(): Promise<EnvironmentScheduleRecord[]> {
    return storeOperation("listSchedules", async () => (await this.db.selectFrom("environment_schedules").selectAll().orderBy("environment").execute()).map(toSchedule));
  }

  find(environment: string): Promise<EnvironmentScheduleRecord | undefined> {
    return storeOperation("findSchedule", async () => {
      const row = await this.db.selectFrom("environment_schedules").selectAll().where("environment", "=", environment).executeTakeFirst();
      return row ? toSchedule(row) : undefined;
    });
  }

  /** Creates or updates the environment's row with the fields given. */
  save(environment: string, patch: { uptime?: string | null; exclusions?: string[]; override?: EnvironmentScheduleRecord["override"] }): Promise<EnvironmentScheduleRecord> {
    return storeOperation("saveSchedule", async () => {
      const now = this.clock.now();
      const current = await this.find(environment);
      const next = {
        uptime: patch.uptime !== undefined ? patch.uptime : (current?.uptime ?? null),
        exclusions: patch.exclusions ?? current?.exclusions ?? [],
        override: patch.override !== undefined ? patch.override : (current?.override ?? null),
      };
      const values = {
        uptime: next.uptime,
        exclusions_json: toJsonText(next.exclusions),
        override_state: next.override?.state ?? null,
        override_until: next.override?.until ?? null,
        updated_at: now,
      };
      await this.db.insertInto("environment_schedules").values({ environment, ...values })
        .onConflict((c) => c.column("environment").doUpdateSet(values)).execute();
      return { environment, ...next, updatedAt: now };
    });
  }

  /** The open sleep period of the environment, if it sleeps. */
  openSleep(environment: string): Promise<SleepRecord | undefined> {
    return storeOperation("openSleep", async () => {
      const row = await this.db.selectFrom("environment_sleeps").selectAll().where("environment", "=", environment).where("ended_at", "is", null).orderBy("id", "desc").executeTakeFirst();
      return row ? toSleep(row) : undefined;
    });
  }

  /** `at`: the schedule's clock (tests inject one), default the store's. */
  startSleep(environment: string, replicas: Record<string, number>, reason: string, at = this.clock.now()): Promise<SleepRecord> {
    return storeOperation("startSleep", async () => {
      const row = await this.db.insertInto("environment_sleeps")
        .values({ environment, replicas_json: toJsonText(replicas), reason, started_at: at, ended_at: null })
        .returningAll().executeTakeFirstOrThrow();
      return toSleep(row);
    });
  }

  endSleep(id: number, at = this.clock.now()): Promise<void> {
    return storeOperation("endSleep", async () => {
      await this.db.updateTable("environment_sleeps").set({ ended_at: at }).where("id", "=", id).execute();
    });
  }

  /** Sleep periods that overlap [since, ∞), oldest first. */
  sleepsSince(environment: string | undefined, since: number): Promise<SleepRecord[]> {
    return storeOperation("listSleeps", async () => {
      let query = this.db.selectFrom("environment_sleeps").selectAll().where((eb) => eb.or([eb("ended_at", "is", null), eb("ended_at", ">=", since)]));
      if (environment !== undefined) query = query.where("environment", "=", environment);
      return (await query.orderBy("id").execute()).map(toSleep);
    });
  }
}
