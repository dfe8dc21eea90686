// orders service: place an order for a product and list the orders placed.
export const version = () => process.env.APP_VERSION ?? "dev";

const orders = [];

/** A problem with an order request, or undefined when it is valid. */
export function validateOrder(body) {
  if (!body || typeof body !== "object") return "the body must be a JSON object";
  if (typeof body.productId !== "string" || body.productId === "") return "productId is required";
  if (!Number.isInteger(body.quantity) || body.quantity < 1 || body.quantity > 100) return "quantity must be a whole number from 1 to 100";
  return undefined;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function handle(req, res) {
  const path = (req.url ?? "/").split("?")[0].replace(/\/$/, "");
  if (path === "/healthz" || path === "/api/orders/healthz") return send(res, 200, { status: "ok", service: "orders", version: version() });
  if (path === "/api/orders" && req.method === "POST") {
    const body = await readJson(req);
    const problem = validateOrder(body);
    if (problem) return send(res, 400, { error: problem });
    const order = { id: orders.length + 1, productId: body.productId, quantity: body.quantity, status: "placed" };
    orders.push(order);
    return send(res, 201, order);
  }
  if (path === "/api/orders") return send(res, 200, { orders });
  return send(res, 404, { error: `no route ${req.method} ${path}` });
}
