/** One store suite, run against every dialect (SQLite file, real Postgres), as kysely tests its dialects. */

import { describe } from "vitest";
import type { StoreDialect } from "../../src/store/index";
import { describeEventCases, describeTransactionCases } from "./events.cases";
import { describeLogWriterCases } from "./log-writer.cases";
import { describeLogCases } from "./logs.cases";
import { describePullRequestCases } from "./pull-requests.cases";
import { describeReleaseCases } from "./releases.cases";
import { describeMigrationCases, describeRunCases } from "./runs.cases";
import { useStoreUnderTest } from "./store-fixtures";

const dialects: StoreDialect[] = ["sqlite", "postgres"];

describe.each(dialects)("store on %s", (dialect) => {
  const ctx = useStoreUnderTest(dialect);
  describe("migrations", () => describeMigrationCases(ctx));
  describe("runs", () => describeRunCases(ctx));
  describe("logs", () => describeLogCases(ctx));
  describe("BufferedLogWriter", () => describeLogWriterCases(ctx));
  describe("events", () => describeEventCases(ctx));
  describe("transactions", () => describeTransactionCases(ctx));
  describe("releases", () => describeReleaseCases(ctx));
  describe("pull requests", () => describePullRequestCases(ctx));
});
