// catalog service: the products the shop sells.
export const version = () => process.env.APP_VERSION ?? "dev";

export const products = [
  { id: "p1", name: "Slipway mug", priceCents: 1200, stock: 40 },
  { id: "p2", name: "Rollback hoodie", priceCents: 4500, stock: 12 },
  { id: "p3", name: "Green-build sticker pack", priceCents: 300, stock: 500 },
];

/** Products whose name contains `query` (case-insensitive); all of them without one. */
export function search(query) {
  const needle = (query ?? "").trim().toLowerCase();
  return needle ? products.filter((product) => product.name.toLowerCase().includes(needle)) : products;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://catalog");
  if (url.pathname === "/healthz" || url.pathname === "/api/products/healthz") return send(res, 200, { status: "ok", service: "catalog", version: version() });
  if (url.pathname === "/api/products" || url.pathname === "/api/products/") return send(res, 200, { products: search(url.searchParams.get("q")) });
  const match = /^\/api\/products\/([\w-]+)$/.exec(url.pathname);
  if (match) {
    const product = products.find((candidate) => candidate.id === match[1]);
    return product ? send(res, 200, product) : send(res, 404, { error: `no product ${match[1]}` });
  }
  return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}
