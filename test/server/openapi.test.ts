/** /api/v1/openapi.json: every registered /api/v1 operation is documented, and the document is structurally valid OpenAPI 3.1. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server";

type Json = Record<string, unknown>;

const httpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `/repos/:owner/:name/branches/*` → `/repos/{owner}/{name}/branches/{*}` as @fastify/swagger writes paths. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\*$/, "{*}");
}

const schemaTypes = ["string", "integer", "number", "boolean", "object", "array", "null"];

/** Problems of a JSON Schema (2020-12 subset used by the API): known types, object properties, array items, required lists. */
function schemaProblems(schema: unknown, where: string): string[] {
  if (typeof schema === "boolean") return [];
  if (!isObject(schema)) return [`${where}: not a schema`];
  const problems: string[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  for (const type of types) if (!schemaTypes.includes(String(type))) problems.push(`${where}: unknown type ${String(type)}`);
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) problems.push(`${where}: properties is not an object`);
    else for (const [name, property] of Object.entries(schema.properties)) problems.push(...schemaProblems(property, `${where}.${name}`));
  }
  if (schema.required !== undefined && (!Array.isArray(schema.required) || schema.required.some((name) => typeof name !== "string"))) problems.push(`${where}: required is not a list of names`);
  if (schema.items !== undefined) problems.push(...schemaProblems(schema.items, `${where}[]`));
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    if (schema[key] !== undefined) (Array.isArray(schema[key]) ? (schema[key] as unknown[]) : [null]).forEach((sub, i) => problems.push(...schemaProblems(sub, `${where}.${key}[${i}]`)));
  }
  if (typeof schema.$ref === "string" && !schema.$ref.startsWith("#/components/")) problems.push(`${where}: $ref ${schema.$ref} is not local`);
  return problems;
}

/** Structural problems of an OpenAPI 3.1 document (an empty list when it is well formed). */
function openApiProblems(document: Json): string[] {
  const problems: string[] = [];
  if (typeof document.openapi !== "string" || !/^3\.1\.\d+$/.test(document.openapi)) problems.push(`openapi: ${String(document.openapi)}`);
  const info = document.info;
  if (!isObject(info) || typeof info.title !== "string" || typeof info.version !== "string") problems.push("info needs title and version");
  if (!isObject(document.paths)) return [...problems, "paths is not an object"];
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith("/")) problems.push(`${path}: paths start with /`);
    if (!isObject(item)) {
      problems.push(`${path}: not an object`);
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, operation] of Object.entries(item)) {
      if (!httpMethods.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(operation)) {
        problems.push(`${where}: not an object`);
        continue;
      }
      if (typeof operation.operationId !== "string") problems.push(`${where}: no operationId`);
      else {
        if (operationIds.has(operation.operationId)) problems.push(`${where}: duplicate operationId`);
        operationIds.add(operation.operationId);
      }
      const responses = operation.responses;
      if (!isObject(responses) || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(isObject(responses) ? responses : {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (!isObject(response) || typeof response.description !== "string") problems.push(`${where} ${status}: a response needs a description`);
        const content = isObject(response) && isObject(response.content) ? response.content : {};
        for (const media of Object.values(content)) {
          if (isObject(media) && media.schema !== undefined) problems.push(...schemaProblems(media.schema, `${where} ${status}`));
        }
      }
      const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
      for (const parameter of parameters) {
        if (!isObject(parameter) || typeof parameter.name !== "string" || !["query", "header", "path", "cookie"].includes(String(parameter.in))) problems.push(`${where}: bad parameter ${JSON.stringify(parameter)}`);
        else if (parameter.in === "path" && parameter.required !== true) problems.push(`${where}: path parameter ${parameter.name} must be required`);
        else problems.push(...schemaProblems(parameter.schema ?? {}, `${where} parameter ${parameter.name}`));
      }
      const declared = parameters.filter((p): p is Json => isObject(p) && p.in === "path").map((p) => p.name);
      for (const name of templated) if (!declared.includes(name)) problems.push(`${where}: path parameter {${name}} is not declared`);
      if (operation.requestBody !== undefined) {
        const body = operation.requestBody;
        if (!isObject(body) || !isObject(body.content)) problems.push(`${where}: requestBody needs content`);
        else for (const media of Object.values(body.content)) if (isObject(media)) problems.push(...schemaProblems(media.schema, `${where} body`));
      }
    }
  }
  return problems;
}

describe("OpenAPI document", () => {
  let t: TestServer;
  let document: Json;

  beforeAll(async () => {
    t = await startTestServer();
    const response = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("is structurally valid OpenAPI 3.1 with well-formed schemas", () => {
    expect(openApiProblems(document)).toEqual([]);
    expect(document.components).toMatchObject({ securitySchemes: { bearer: { type: "http", scheme: "bearer" } } });
  });

  it("documents every registered /api/v1 operation, and nothing outside /api/v1", () => {
    const operations = t.server.app.apiOperations;
    expect(operations.length).toBeGreaterThan(40);
    const paths = document.paths as Record<string, Json>;
    const missing = operations.filter((op) => !isObject(paths[openApiPath(op.url)]?.[op.method.toLowerCase()])).map((op) => `${op.method} ${op.url}`);
    expect(missing).toEqual([]);
    expect(Object.keys(paths).filter((path) => !path.startsWith("/api/v1/"))).toEqual([]);
    const documented = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).filter((m) => httpMethods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.length).toBe(operations.length);
  });

  it("gives every operation a tag, path parameters, error responses and a success response", () => {
    const paths = document.paths as Record<string, Record<string, Json>>;
    for (const route of ["/api/v1/repos/{owner}/{name}/branches", "/api/v1/repos/{owner}/{name}/releases", "/api/v1/images", "/api/v1/environments", "/api/v1/events", "/api/v1/events/stream", "/api/v1/runs/{id}"]) {
      expect(paths[route]?.get, route).toBeDefined();
    }
    const run = paths["/api/v1/runs/{id}"]?.get as Json;
    expect(run.tags).toEqual(["runs"]);
    expect(Object.keys(run.responses as Json)).toEqual(expect.arrayContaining(["200", "401", "404"]));
    const runSchema = ((run.responses as Record<string, Json>)["200"]?.content as Record<string, Json>)["application/json"]?.schema as Json;
    expect(runSchema).toMatchObject({ type: "object", properties: { jobs: { type: "array" } } });
    const events = paths["/api/v1/events"]?.get as Json;
    expect((events.parameters as Json[]).map((p) => p.name)).toEqual(expect.arrayContaining(["type", "repo", "before", "limit"]));
  });

  it("keeps undeclared response fields: schemas document, JSON.stringify serialises", async () => {
    const user = await t.admin.api<Json>("GET", "/user");
    expect(user.body).toMatchObject({ name: "admin", isAdmin: true });
    const missing = await t.admin.api<Json>("GET", "/no/such/route");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
