/** /api/v1/events/stream with a real HTTP client: auth (header, stream cookie or ?access_token), live run events, visibility, replay after Last-Event-ID, keepalives, overflow drop, shutdown. */

import { request, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayLimit } from "../../src/server/routes/events-stream";
import { startTestServer, waitUntil, workflowYaml, type TestServer, type TestUser } from "../support/server";

interface StreamMessage {
  id?: string;
  data: Record<string, unknown>;
}

interface EventStreamClient {
  status: number;
  contentType: string;
  messages: StreamMessage[];
  comments: string[];
  ended: Promise<void>;
  response: IncomingMessage;
  waitFor(what: string, predicate: (message: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  close(): void;
}

/** Opens the stream with node:http and parses the SSE framing (`id:`, `data:`, `: comment`, blank line). */
function openStream(url: string, headers: Record<string, string> = {}, options: { read?: boolean } = {}): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
      const messages: StreamMessage[] = [];
      const comments: string[] = [];
      let buffer = "";
      const ended = new Promise<void>((done) => {
        response.on("end", done);
        response.on("close", done);
        response.on("error", () => done());
      });
      if (options.read !== false) {
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffer += chunk;
          let split: number;
          while ((split = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, split);
            buffer = buffer.slice(split + 2);
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("id: ")) id = line.slice(4);
              else if (line.startsWith("data: ")) data.push(line.slice(6));
            }
            if (data.length > 0) messages.push({ id, data: JSON.parse(data.join("\n")) as Record<string, unknown> });
          }
        });
      } else response.pause();
      resolve({
        status: response.statusCode ?? 0,
        contentType: String(response.headers["content-type"] ?? ""),
        messages,
        comments,
        ended,
        response,
        waitFor: (what, predicate, timeoutMs = 30_000) => waitUntil(what, async () => messages.find(predicate), timeoutMs),
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("server-sent events", () => {
  let t: TestServer;
  let dev: TestUser;
  let outsider: TestUser;
  let stopped = false;
  const opened: EventStreamClient[] = [];
  const open = async (...args: Parameters<typeof openStream>) => {
    const client = await openStream(...args);
    opened.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestServer();
    dev = await t.createUser("dev");
    outsider = await t.createUser("outsider");
    await t.createRepo("acme/shop", { members: { dev: "developer" } });
  });

  afterAll(async () => {
    for (const client of opened) client.close();
    if (!stopped) await t?.stop();
  });

  it("refuses anonymous callers and bad tokens", async () => {
    const anonymous = await open(`${t.url}/api/v1/events/stream`);
    expect(anonymous.status).toBe(401);
    const bad = await open(`${t.url}/api/v1/events/stream?access_token=nope`);
    expect(bad.status).toBe(401);
    const badHeader = await open(`${t.url}/api/v1/events/stream`, { authorization: "Bearer nope" });
    expect(badHeader.status).toBe(401);
  });

  it("trades a token for an HttpOnly stream cookie that only the stream accepts, ends with its token, and cannot be forged", async () => {
    const anonymous = await fetch(`${t.url}/api/v1/events/session`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    const user = await t.server.context.store.accounts.findUser("dev");
    const issued = await t.server.context.store.accounts.issueToken(user?.id ?? -1, "dashboard");
    const session = await fetch(`${t.url}/api/v1/events/session`, { method: "POST", headers: { authorization: `Bearer ${issued.token}` } });
    expect(session.status).toBe(200);
    const setCookie = session.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^slipway_events=[\w-]+\.[\w-]+; Path=\/api\/v1\/events\/stream; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(issued.token);
    expect(Date.parse(((await session.json()) as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());
    // Behind a TLS proxy the cookie is for HTTPS only.
    const proxied = await fetch(`${t.url}/api/v1/events/session`, { method: "POST", headers: { authorization: `Bearer ${issued.token}`, "x-forwarded-proto": "https" } });
    expect(proxied.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const cookie = setCookie.split(";")[0];

    const stream = await open(`${t.url}/api/v1/events/stream`, { cookie });
    expect(stream.status).toBe(200);
    await waitUntil("connected as dev", async () => (stream.comments.some((c) => c.startsWith("connected as dev")) ? true : undefined));
    // Only the stream takes it: the rest of the API still needs the token.
    expect((await fetch(`${t.url}/api/v1/user`, { headers: { cookie } })).status).toBe(401);
    const [payload, signature] = cookie.slice("slipway_events=".length).split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), exp: 4_000_000_000 })).toString("base64url");
    expect((await open(`${t.url}/api/v1/events/stream`, { cookie: `slipway_events=${forged}.${signature}` })).status).toBe(401);
    expect((await open(`${t.url}/api/v1/events/stream`, { cookie: `slipway_events=${payload}.x${signature.slice(1)}` })).status).toBe(401);

    await t.server.context.store.accounts.revokeToken(user?.id ?? -1, issued.id);
    expect((await open(`${t.url}/api/v1/events/stream`, { cookie })).status).toBe(401);
    const signedOut = await fetch(`${t.url}/api/v1/events/session`, { method: "DELETE" });
    expect([signedOut.status, signedOut.headers.get("set-cookie")]).toEqual([204, "slipway_events=; Path=/api/v1/events/stream; Max-Age=0; HttpOnly; SameSite=Strict"]);
  });

  it("streams a push and its run, live, to a member; an outsider sees none of it", async () => {
    const member = await open(`${t.url}/api/v1/events/stream?access_token=${dev.token}`);
    const byHeader = await open(`${t.url}/api/v1/events/stream?type=run.*`, { authorization: `Bearer ${dev.token}` });
    const stranger = await open(`${t.url}/api/v1/events/stream?access_token=${outsider.token}`);
    expect(member.status).toBe(200);
    expect(member.contentType).toMatch(/^text\/event-stream/);
    await waitUntil("connected comment", async () => (member.comments.some((c) => c.startsWith("connected as dev")) ? true : undefined));

    const work = await t.workingCopy("acme/shop", dev.token);
    const sha = await work.commit("ci", { ".slipway/workflows/ci.yml": workflowYaml("push", ["echo hello"]) });
    await work.ok("push", "-q", "origin", "HEAD:main");

    const pushed = await member.waitFor("push.received", (m) => m.data.type === "push.received");
    expect(pushed.data).toMatchObject({ repo: "acme/shop", ref: "refs/heads/main", after: sha });
    const created = await member.waitFor("run.created", (m) => m.data.type === "run.created");
    const runId = created.data.runId;
    const completed = await member.waitFor("run.completed", (m) => m.data.type === "run.completed" && m.data.runId === runId);
    expect(completed.data).toMatchObject({ conclusion: "success", repo: "acme/shop" });
    expect(member.messages.some((m) => m.data.type === "job.updated" && m.data.status === "in_progress")).toBe(true);
    const ids = member.messages.map((m) => Number(m.id?.split("-")[1]));
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    await byHeader.waitFor("run.completed by header", (m) => m.data.type === "run.completed");
    expect(byHeader.messages.every((m) => String(m.data.type).startsWith("run."))).toBe(true);
    expect(stranger.messages).toEqual([]);
  });

  it("replays what a client missed after its Last-Event-ID, in order and once, then goes on live", async () => {
    const emit = (pushId: number) => t.server.context.events.emit({ type: "push.received", repo: "acme/shop", ref: "refs/heads/replay", after: "0".repeat(40), pushId });
    const pushIds = (client: EventStreamClient) => client.messages.filter((m) => m.data.ref === "refs/heads/replay").map((m) => m.data.pushId);
    const first = await open(`${t.url}/api/v1/events/stream?type=push.*&access_token=${dev.token}`);
    await waitUntil("connected", async () => (first.comments.length > 0 ? true : undefined));
    emit(1);
    const seen = await first.waitFor("push 1", (m) => m.data.pushId === 1);
    first.close();
    for (const pushId of [2, 3, 4]) emit(pushId);

    const byHeader = await open(`${t.url}/api/v1/events/stream?type=push.*&access_token=${dev.token}`, { "last-event-id": seen.id as string });
    const byQuery = await open(`${t.url}/api/v1/events/stream?type=push.*&access_token=${dev.token}&lastEventId=${seen.id as string}`);
    const outsiderBack = await open(`${t.url}/api/v1/events/stream?access_token=${outsider.token}`, { "last-event-id": seen.id as string });
    for (const client of [byHeader, byQuery]) await client.waitFor("push 4 replayed", (m) => m.data.pushId === 4);
    emit(5);
    for (const client of [byHeader, byQuery]) {
      await client.waitFor("push 5 live", (m) => m.data.pushId === 5);
      expect(pushIds(client)).toEqual([2, 3, 4, 5]);
    }
    const ids = byHeader.messages.map((m) => Number(m.id?.split("-")[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await waitUntil("outsider connected", async () => (outsiderBack.comments.length > 0 ? true : undefined));
    expect(outsiderBack.messages).toEqual([]);
  });

  it("answers a Last-Event-ID it cannot replay (no longer kept, an earlier run of the server, unknown) with stream.reset", async () => {
    const watcher = await open(`${t.url}/api/v1/events/stream?type=push.*&access_token=${dev.token}`);
    await waitUntil("connected", async () => (watcher.comments.length > 0 ? true : undefined));
    const emit = (pushId: number) => t.server.context.events.emit({ type: "push.received", repo: "acme/shop", ref: "refs/heads/old", after: "0".repeat(40), pushId });
    emit(0);
    const old = (await watcher.waitFor("push 0", (m) => m.data.ref === "refs/heads/old")).id as string;
    watcher.close();
    // The kept events start two after the old one: the one right after it is lost.
    for (let pushId = 1; pushId <= replayLimit + 1; pushId += 1) emit(pushId);
    for (const stale of [old, "0-5", "nonsense", `${"z".repeat(8)}-1`]) {
      const client = await open(`${t.url}/api/v1/events/stream?access_token=${dev.token}`, { "last-event-id": stale });
      const reset = await client.waitFor("stream.reset", (m) => m.data.type === "stream.reset");
      expect(String(reset.data.reason)).toContain(stale);
      expect(reset.id).toBeUndefined();
    }
  });

  it("sends keepalive comments at the requested interval", async () => {
    const client = await open(`${t.url}/api/v1/events/stream?heartbeat=1&access_token=${dev.token}`);
    await waitUntil("two keepalives", async () => (client.comments.filter((c) => c.startsWith("keepalive")).length >= 2 ? true : undefined), 5_000);
  });

  it("drops a client that stops reading instead of buffering without bound", async () => {
    const stalled = await open(`${t.url}/api/v1/events/stream?access_token=${dev.token}`, {}, { read: false });
    expect(stalled.status).toBe(200);
    const padding = "x".repeat(4096);
    let closed = false;
    void stalled.ended.then(() => (closed = true));
    // Far more than the socket buffers and the 1 MiB per-client limit.
    for (let batch = 0; batch < 40 && !closed; batch += 1) {
      for (let i = 0; i < 500; i += 1) t.server.context.events.emit({ type: "push.received", repo: "acme/shop", ref: `refs/heads/${padding}`, after: "0".repeat(40), pushId: i });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitUntil("stalled client dropped", async () => (closed ? true : undefined), 10_000);
  });

  it("ends every stream with a shutdown message when the server stops", async () => {
    const client = await open(`${t.url}/api/v1/events/stream?access_token=${dev.token}`);
    await waitUntil("connected", async () => (client.comments.length > 0 ? true : undefined));
    const started = Date.now();
    await t.stop();
    stopped = true;
    await client.ended;
    expect(client.messages.at(-1)?.data).toEqual({ type: "shutdown" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
