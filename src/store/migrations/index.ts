/** The ordered list of migrations, provided in code so the bundled CLI needs no migration folder. */

import type { Migration, MigrationProvider } from "kysely";
import type { StoreDialect } from "../schema";
import { initialSchema } from "./001-initial";
import { hostingSchema } from "./002-hosting";
import { releasesSchema } from "./003-releases";
import { approvalsSchema } from "./004-approvals";
import { deliveriesSchema } from "./005-deliveries";
import { notificationsSchema } from "./006-notifications";
import { schemaDialect } from "./schema-dialect";

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const schema = schemaDialect(dialect);
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return { "001_initial": initialSchema(schema), "002_hosting": hostingSchema(schema), "003_releases": releasesSchema(schema), "004_approvals": approvalsSchema(schema), "005_deliveries": deliveriesSchema(schema), "006_notifications": notificationsSchema(schema) };
    },
  };
}
