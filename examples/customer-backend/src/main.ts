/**
 * Runs the customer backend against your relink server:
 *
 *   RELINK_URL=http://127.0.0.1:8787 RELINK_API_KEY=rlk_… RELINK_WORKSPACE_ID=ws_… \
 *   RELINK_SIGNING_KEY_ID=sk_… RELINK_SIGNING_SECRET=… RELINK_WEBHOOK_SECRET=whsec_… \
 *   PORT=8788 pnpm --filter @relink/example-customer-backend start
 *
 * With `RELINK_SYNC_API_KEY` (a key with the `credentials:read` scope) and `DEMO_HRIS_URL`, the
 * product's own sync runs through relink sync sessions: `POST /api/sync`, `GET /api/employees`
 * (employees kept in `EMPLOYEES_FILE`, default `employees.json`).
 *
 * Customers are kept in `customers.json` (created with two sample customers). `pnpm demo` runs it
 * with everything seeded.
 */
import { serve } from "@hono/node-server";
import { createCustomerBackend } from "./app.ts";
import { CustomerStore } from "./customers.ts";
import { EmployeeStore } from "./own-sync.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see the comment at the top of src/main.ts)`);
    process.exit(78);
  }
  return value;
};

const customers = new CustomerStore(
  [
    { id: "acme", name: "Acme Corp", tool: "demo-hris" },
    { id: "globex", name: "Globex Inc", tool: "demo-hris-oauth" },
  ],
  { file: process.env.CUSTOMERS_FILE ?? "customers.json" },
);
const backend = createCustomerBackend({
  relink: {
    url: env("RELINK_URL"),
    apiKey: env("RELINK_API_KEY"),
    workspaceId: env("RELINK_WORKSPACE_ID"),
    signingKey: { id: env("RELINK_SIGNING_KEY_ID"), secret: env("RELINK_SIGNING_SECRET") },
    webhookSecret: env("RELINK_WEBHOOK_SECRET"),
  },
  customers,
  ...(process.env.RELINK_SYNC_API_KEY && process.env.DEMO_HRIS_URL
    ? {
        ownSync: {
          apiKey: process.env.RELINK_SYNC_API_KEY,
          hrisUrl: process.env.DEMO_HRIS_URL,
          employees: new EmployeeStore({ file: process.env.EMPLOYEES_FILE ?? "employees.json" }),
        },
      }
    : {}),
});
const port = Number(process.env.PORT ?? 8788);
serve({ fetch: backend.app.fetch, port, hostname: process.env.HOST ?? "127.0.0.1" }, (info) => {
  console.log(`customer backend on http://127.0.0.1:${info.port} (webhooks: POST /webhooks/relink)`);
});
