import { createRoute, z } from "@hono/zod-openapi";
import { idSchema, SimulationRequestSchema, SimulationSchema } from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { loadIntegrationView } from "../domain/integrations.ts";
import { simulate } from "../domain/simulation.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";

const IdParam = z.object({ id: idSchema("int") });

/** The sandbox: `POST /v1/integrations/:id/simulate`, answering 404 unless `RELINK_ENABLE_SIMULATION=true`. */
export function simulationRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/simulate",
      operationId: "simulateIntegration",
      tags: ["Sandbox"],
      security: bearerSecurity,
      summary:
        "Sandbox only (`RELINK_ENABLE_SIMULATION=true`, else 404): force the outcome of the next auth checks (`AUTH_FAILED`, `INCONCLUSIVE`, `OK`; for `checks` checks or until cleared with `null`), and optionally jump the failure streak so that the integration pauses in `pauses_in_seconds`",
      request: { params: IdParam, ...jsonBody(SimulationRequestSchema) },
      responses: {
        200: json(SimulationSchema, "What is forced now, and the integration"),
        ...errors(404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const state = await simulate(ctx, c.var.workspaceId, c.req.valid("param").id, {
        outcome: body.auth_outcome,
        checks: body.checks,
        pausesInSeconds: body.pauses_in_seconds,
      });
      c.var.log.warn(
        { integration_id: state.row.id, auth_outcome: state.outcome, remaining: state.remaining },
        "auth checks simulated",
      );
      return c.json(
        {
          integration_id: state.row.id,
          auth_outcome: state.outcome,
          remaining_checks: state.remaining,
          integration: await loadIntegrationView(ctx, state.row),
        },
        200,
      );
    },
  );

  return app;
}
