/** Users and personal access tokens (only a SHA-256 of each token is stored). */

import { createHash, randomBytes } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { Database, UsersTable } from "./schema";
import { storeOperation } from "./store-operation";

export interface UserRecord {
  id: number;
  name: string;
  isAdmin: boolean;
  createdAt: number;
}

export interface IssuedToken {
  /** Shown once; only its hash is kept. */
  token: string;
  id: number;
  user: UserRecord;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newTokenValue(): string {
  return `slw_${randomBytes(24).toString("base64url")}`;
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return { id: row.id, name: row.name, isAdmin: row.is_admin === 1, createdAt: row.created_at };
}

const userName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$/;

export class AccountRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  createUser(name: string, options: { isAdmin?: boolean } = {}): Promise<UserRecord> {
    if (!userName.test(name)) {
      return Promise.reject(new SlipwayError("CONFIG_INVALID", `'${name}' is not a user name: letters, digits, '.', '_' and '-', at most 39.`));
    }
    return storeOperation("createUser", async () => {
      const existing = await this.findUser(name);
      if (existing) throw new SlipwayError("CONFIG_INVALID", `A user named '${name}' already exists.`);
      const row = await this.db
        .insertInto("users")
        .values({ name, is_admin: options.isAdmin ? 1 : 0, created_at: this.clock.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    });
  }

  findUser(name: string): Promise<UserRecord | undefined> {
    return storeOperation("findUser", async () => {
      const row = await this.db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
      return row ? toUser(row) : undefined;
    });
  }

  getUser(id: number): Promise<UserRecord | undefined> {
    return storeOperation("getUser", async () => {
      const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    });
  }

  listUsers(): Promise<UserRecord[]> {
    return storeOperation("listUsers", async () => (await this.db.selectFrom("users").selectAll().orderBy("id").execute()).map(toUser));
  }

  countUsers(): Promise<number> {
    return storeOperation("countUsers", async () => {
      const row = await this.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  issueToken(userId: number, name: string): Promise<IssuedToken> {
    return storeOperation("issueToken", async () => {
      const user = await this.getUser(userId);
      if (!user) throw new SlipwayError("CONFIG_INVALID", `User ${userId} does not exist.`);
      const token = newTokenValue();
      const row = await this.db
        .insertInto("tokens")
        .values({ user_id: userId, name, token_hash: hashToken(token), created_at: this.clock.now(), last_used_at: null })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { token, id: row.id, user };
    });
  }

  /** The user a token belongs to, or undefined for an unknown token. */
  authenticate(token: string): Promise<UserRecord | undefined> {
    return this.userOfTokenHash(hashToken(token));
  }

  /** The user of the token stored under this hash (`hashToken`), or undefined when there is none (revoked). */
  userOfTokenHash(tokenHash: string): Promise<UserRecord | undefined> {
    return storeOperation("authenticate", async () => {
      const row = await this.db
        .selectFrom("tokens")
        .innerJoin("users", "users.id", "tokens.user_id")
        .select(["users.id", "users.name", "users.is_admin", "users.created_at"])
        .where("tokens.token_hash", "=", tokenHash)
        .executeTakeFirst();
      return row ? toUser(row) : undefined;
    });
  }

  revokeToken(userId: number, tokenId: number): Promise<boolean> {
    return storeOperation("revokeToken", async () => {
      const result = await this.db.deleteFrom("tokens").where("id", "=", tokenId).where("user_id", "=", userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }
}
