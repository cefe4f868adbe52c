import { createRoute, z } from "@hono/zod-openapi";
import type { RelinkContext } from "../context.ts";
import { pingDatabase } from "../db/connect.ts";
import { json, publicSecurity, router } from "../http/openapi.ts";

const Health = z.object({ status: z.literal("ok") });
const Ready = z.object({ status: z.enum(["ready", "unavailable"]), database: z.enum(["ok", "unreachable"]) });

export function healthRoutes(ctx: RelinkContext) {
  const app = router();
  app.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      operationId: "getHealth",
      tags: ["Operations"],
      security: publicSecurity,
      summary: "Liveness: the process answers",
      responses: { 200: json(Health, "Alive") },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/readyz",
      operationId: "getReadiness",
      tags: ["Operations"],
      security: publicSecurity,
      summary: "Readiness: the database answers",
      responses: { 200: json(Ready, "Ready"), 503: json(Ready, "Not ready") },
    }),
    async (c) => {
      try {
        await pingDatabase(ctx.db);
        return c.json({ status: "ready" as const, database: "ok" as const }, 200);
      } catch (err) {
        c.var.log.warn({ err }, "readiness check failed");
        return c.json({ status: "unavailable" as const, database: "unreachable" as const }, 503);
      }
    },
  );
  return app;
}
