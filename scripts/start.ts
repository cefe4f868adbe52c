/**
 * `pnpm start`: the demo HR system and relink on SQLite, with a workspace, a fresh API key and a
 * default scope config, URLs printed. Configuration comes from the environment (see docs).
 */
import { startDemoHris } from "@relink/demo-hris";
import { createApiKey, createWorkspace, loadConfig, startServer } from "@relink/server";

const DEMO_HRIS_PORT = Number(process.env.DEMO_HRIS_PORT ?? 8790);

async function main() {
  const hris = await startDemoHris({ port: DEMO_HRIS_PORT });
  const config = loadConfig({ RELINK_DEMO_HRIS_URL: hris.url, LOG_LEVEL: "warn", ...process.env });
  const relink = await startServer({ config });
  const { db, clock } = relink.relink.ctx;

  const existing = await db.selectFrom("workspaces").select("id").orderBy("created_at").executeTakeFirst();
  let workspaceId: string;
  let apiKey: string;
  if (existing) {
    workspaceId = existing.id;
    apiKey = (await createApiKey({ db, clock }, workspaceId, `pnpm start ${clock.now().toISOString()}`)).key;
  } else {
    const created = await createWorkspace({ db, clock }, "Demo workspace");
    workspaceId = created.workspaceId;
    apiKey = created.apiKey.key;
    const response = await relink.relink.app.request("/v1/scope-configs", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Employees (default)",
        category: "HRIS",
        is_default: true,
        models: {
          employees: {
            setting: "ENABLED",
            fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
          },
        },
      }),
    });
    if (!response.ok) throw new Error(`could not create the default scope config: ${await response.text()}`);
  }

  console.log(`
relink is running (SQLite at ${config.databaseUrl.replace(/^sqlite:/, "")})

  relink API        ${relink.url}
  API reference     ${relink.url}/docs
  OpenAPI           ${relink.url}/openapi.json
  demo HR system    ${hris.url}   (admin: ${hris.url}/admin/companies)

  workspace         ${workspaceId}
  API key           ${apiKey}   (new for this start; shown once)

Try:
  curl -H "Authorization: Bearer ${apiKey}" ${relink.url}/v1/tools

Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await relink.close();
    await hris.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    console.error(
      `A port is already in use (${error.message}). Stop the other process or set PORT / DEMO_HRIS_PORT.`,
    );
  } else {
    console.error(
      error instanceof Error && error.name === "ConfigError"
        ? `Configuration error: ${error.message}`
        : error,
    );
  }
  process.exit(1);
});
