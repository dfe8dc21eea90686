// web service: the shop's storefront page; it calls the API through the same entry point.
export const version = () => process.env.APP_VERSION ?? "dev";

export function page(appVersion) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>slipway shop</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}li{margin:.3rem 0}</style></head>
<body>
<h1>slipway shop</h1>
<p>web ${appVersion} · <a href="/api">API</a> · <a href="/api/products">products</a> · <a href="/api/orders">orders</a></p>
<ul id="products"><li>loading products…</li></ul>
<script>
fetch("/api/products").then((r) => r.json()).then(({ products }) => {
  document.getElementById("products").innerHTML = products.map((p) => "<li>" + p.name + " — $" + (p.priceCents / 100).toFixed(2) + "</li>").join("");
}).catch(() => { document.getElementById("products").innerHTML = "<li>the catalog is not reachable</li>"; });
</script>
</body>
</html>
`;
}

export async function handle(req, res) {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ status: "ok", service: "web", version: version() }));
  }
  if (path === "/" || path === "/index.html") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    return res.end(page(version()));
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end(`not found: ${path}\n`);
}
