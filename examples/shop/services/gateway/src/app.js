// gateway service: the API's front door — what the shop's API offers and where each part lives.
export const version = () => process.env.APP_VERSION ?? "dev";

/** The API routes the ingress sends to each service (envs/<env>/gateway/ingress.yaml in shop-deploy). */
export const routes = [
  { path: "/api/auth", service: "auth" },
  { path: "/api/products", service: "catalog" },
  { path: "/api/orders", service: "orders" },
  { path: "/", service: "web" },
];

/** The service that serves `path`: the longest route prefix that matches whole path segments. */
export function routeFor(path) {
  const matches = routes.filter((route) => route.path === "/" || path === route.path || path.startsWith(`${route.path}/`));
  return matches.sort((a, b) => b.path.length - a.path.length)[0]?.service;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://gateway");
  if (url.pathname === "/healthz" || url.pathname === "/api/healthz") return send(res, 200, { status: "ok", service: "gateway", version: version() });
  if (url.pathname === "/api" || url.pathname === "/api/") return send(res, 200, { service: "gateway", version: version(), routes });
  if (url.pathname === "/api/route") return send(res, 200, { path: url.searchParams.get("path") ?? "/", service: routeFor(url.searchParams.get("path") ?? "/") });
  return send(res, 404, { error: `the gateway has no route ${url.pathname}` });
}
