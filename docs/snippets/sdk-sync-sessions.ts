/** Sync sessions and records with `RelinkClient`: the examples of docs/sdk.md. Type-checked, not run. */
import { RelinkAuthError, RelinkClient } from "@relink/sdk";

const relink = new RelinkClient({
  baseUrl: "https://relink.example.com",
  apiKey: process.env.RELINK_SYNC_KEY!,
});
const integrationId = "int_01jd5x3m9k2q8r7t6y5w4v3u2s";

export async function withSyncSession() {
  // #region with-sync-session
  const result = await relink.integrations.withSyncSession(integrationId, async ({ credentials, signal }) => {
    const response = await fetch("https://hr.example.com/api/employees", {
      headers: { authorization: `Bearer ${credentials.api_key}` },
      signal,
    });
    if (response.status === 401) throw new RelinkAuthError("the HR system refused the key");
    const { data } = (await response.json()) as { data: unknown[] };
    return { records: { employees: data.length } };
  });
  if (!result.ok) console.warn(`not synced: ${result.refusal.code}`);
  // #endregion with-sync-session
}

export async function records() {
  // #region records
  for await (const employee of relink.integrations.records(integrationId, "employees")) {
    console.log(employee.remote_id, employee.fields.first_name, employee.updated_at);
  }
  // #endregion records
}
