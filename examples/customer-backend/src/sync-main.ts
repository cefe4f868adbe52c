/**
 * The product's own sync of one customer's demo HR system, through a relink sync session:
 *
 *   RELINK_URL=http://127.0.0.1:8787 RELINK_SYNC_API_KEY=rlk_… RELINK_INTEGRATION_ID=int_… \
 *   DEMO_HRIS_URL=http://127.0.0.1:8790 pnpm --filter @relink/example-customer-backend sync
 *
 * `RELINK_SYNC_API_KEY` is an API key with the `credentials:read` scope. The employees are kept in
 * `EMPLOYEES_FILE` (default `employees.json`). Exit status: 0 synced, 3 refused by relink (paused,
 * credentials rejected, the HR system unreachable: the message says what to do), 1 on any other
 * failure. Run it from cron, a queue worker, wherever the product's syncs run.
 */
import { RelinkClient } from "@relink/sdk";
import { describeOutcome, EmployeeStore, syncEmployees } from "./own-sync.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see the comment at the top of src/sync-main.ts)`);
    process.exit(78);
  }
  return value;
};

const integrationId = env("RELINK_INTEGRATION_ID");
const outcome = await syncEmployees({
  relink: new RelinkClient({ baseUrl: env("RELINK_URL"), apiKey: env("RELINK_SYNC_API_KEY") }),
  integrationId,
  hrisUrl: env("DEMO_HRIS_URL"),
  store: new EmployeeStore({ file: process.env.EMPLOYEES_FILE ?? "employees.json" }),
});
if (outcome.status === "SYNCED") {
  console.log(`${integrationId}: ${describeOutcome(outcome)}`);
} else {
  console.warn(`${integrationId}: ${describeOutcome(outcome)}`);
  process.exitCode = 3;
}
