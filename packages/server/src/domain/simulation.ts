import type { AuthOutcome } from "@relink/sdk/contract";
import { sql } from "kysely";
import { iso } from "../clock.ts";
import type { AuthCheckResult } from "../connectors/types.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import { DomainError, notFound } from "./errors.ts";
import { transition } from "./integration-machine.ts";
import { lockIntegration, writeTransition } from "./integration-store.ts";

/**
 * The sandbox (`RELINK_ENABLE_SIMULATION=true`, never by default): an operator forces the outcome of
 * an integration's next auth checks (`auth_simulations`, one row per integration, shared by every
 * replica) and can jump its failure streak to pausing soon, so a product can test its webhook
 * handling and its reconnect banner without breaking a real tool. The forced outcome goes through
 * the same integration machine as a real one, and the jump is the machine's `streak-jumped`
 * transition, written by the store. Disabled, nothing here reads the database.
 */

export interface SimulationInput {
  /** `null` clears; `undefined` leaves as is. */
  outcome?: AuthOutcome | null;
  /** Checks to force; undefined = until cleared. */
  checks?: number;
  /** Jump the streak so that the integration pauses this many seconds from now. */
  pausesInSeconds?: number;
}

export interface SimulationState {
  outcome: AuthOutcome | null;
  remaining: number | null;
  row: IntegrationRow;
}

const disabled = () =>
  new DomainError(
    "NOT_FOUND",
    "Simulation is disabled on this server: start it with RELINK_ENABLE_SIMULATION=true (sandboxes only).",
  );

/** Sets (or clears) the forced outcome and optionally jumps the failure streak, in one transaction. */
export async function simulate(
  ctx: RelinkContext,
  workspaceId: string,
  integrationId: string,
  input: SimulationInput,
): Promise<SimulationState> {
  if (!ctx.config.enableSimulation) throw disabled();
  return inTransaction(ctx, async (tx) => {
    const row = await lockIntegration(tx, ctx, workspaceId, integrationId);
    if (!row) throw notFound("Integration");
    const now = ctx.clock.now();
    const at = iso(now);
    if (input.outcome === null) {
      await tx.db.deleteFrom("auth_simulations").where("integration_id", "=", row.id).execute();
    } else if (input.outcome !== undefined) {
      await tx.db.deleteFrom("auth_simulations").where("integration_id", "=", row.id).execute();
      await tx.db
        .insertInto("auth_simulations")
        .values({
          integration_id: row.id,
          workspace_id: row.workspace_id,
          outcome: input.outcome,
          remaining: input.checks ?? null,
          created_at: at,
        })
        .execute();
    }

    let current = row;
    if (input.pausesInSeconds !== undefined) {
      if (row.state !== "ACTIVE") {
        throw new DomainError(
          row.state === "INACTIVE" ? "INTEGRATION_INACTIVE" : "INTEGRATION_INVALID",
          `Only an ACTIVE integration can be brought close to a pause; this one is ${row.state}.`,
        );
      }
      const pausesAt = new Date(now.getTime() + input.pausesInSeconds * 1000);
      const t = transition(row, { kind: "streak-jumped", pausesAt }, now, ctx.config);
      current = await writeTransition(tx, row, t);
      tx.wake("scheduler");
    }
    const sim = await tx.db
      .selectFrom("auth_simulations")
      .selectAll()
      .where("integration_id", "=", row.id)
      .executeTakeFirst();
    return {
      outcome: (sim?.outcome as AuthOutcome | undefined) ?? null,
      remaining: sim?.remaining ?? null,
      row: current,
    };
  });
}

/**
 * The forced outcome of this check, taking one from the count; null (no read at all) when
 * simulation is disabled or nothing is forced. Called in place of the connector's `checkAuth`.
 */
export async function simulatedCheck(
  ctx: Pick<RelinkContext, "config" | "db">,
  integrationId: string,
): Promise<(AuthCheckResult & { durationMs: number }) | null> {
  if (!ctx.config.enableSimulation) return null;
  const sim = await ctx.db
    .selectFrom("auth_simulations")
    .select(["outcome", "remaining"])
    .where("integration_id", "=", integrationId)
    .executeTakeFirst();
  if (!sim) return null;
  if (sim.remaining !== null) {
    const taken = await ctx.db
      .updateTable("auth_simulations")
      .set({ remaining: sql<number>`remaining - 1` })
      .where("integration_id", "=", integrationId)
      .where("remaining", ">", 0)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) return null;
    await ctx.db
      .deleteFrom("auth_simulations")
      .where("integration_id", "=", integrationId)
      .where("remaining", "<=", 0)
      .execute();
  }
  const outcome = sim.outcome as AuthOutcome;
  return {
    outcome,
    detail: `simulated ${outcome} (RELINK_ENABLE_SIMULATION)`,
    durationMs: 0,
  };
}
