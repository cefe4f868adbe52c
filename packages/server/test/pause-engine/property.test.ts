import type { AuthOutcome, Integration } from "@relink/sdk/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, type PauseWorld, pauseWorld, transitions } from "./helpers.ts";

/**
 * The rules of docs/design.md section 4 against a tiny reference model: random sequences of check
 * outcomes (scheduled and manual), waits, disables and enables, run through the real server.
 */

const PAUSE_AFTER = 12 * HOUR;
const INTERVAL = 3 * HOUR;

type Command =
  | { kind: "wait"; ms: number }
  | { kind: "scheduled"; outcome: AuthOutcome }
  | { kind: "manual"; outcome: AuthOutcome }
  | { kind: "disable" }
  | { kind: "enable" };

const outcome = fc.constantFrom<AuthOutcome>("OK", "AUTH_FAILED", "AUTH_FAILED", "INCONCLUSIVE");
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 16 * HOUR }) }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("scheduled" as const), outcome }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("manual" as const), outcome }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("disable" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("enable" as const) }) },
);

/** The reference: the rules, restated as plainly as possible. */
class Model {
  state: "ACTIVE" | "INVALID" | "INACTIVE" = "ACTIVE";
  failingSince: number | null = null;
  failedChecks = 0;
  retry = 0;
  events: string[] = ["integration-created"];
  constructor(public nextSyncAt: number | null) {}

  check(result: AuthOutcome, at: number, trigger: "scheduled" | "manual") {
    if (result === "OK") {
      if (this.failingSince !== null) this.events.push("auth:OK");
      this.failingSince = null;
      this.failedChecks = 0;
      if (this.state === "INVALID") {
        this.state = "ACTIVE";
        this.events.push("state:ACTIVE:AUTH_RECOVERED");
        this.nextSyncAt = at;
        this.retry = 0;
      }
    } else if (result === "AUTH_FAILED") {
      if (this.failingSince === null) {
        this.failingSince = at;
        this.events.push("auth:FAILING");
      }
      this.failedChecks++;
      if (this.state === "ACTIVE" && at >= this.failingSince + PAUSE_AFTER) {
        this.state = "INVALID";
        this.nextSyncAt = null;
        this.events.push("state:INVALID:AUTHENTICATION_FAILED");
      }
    }
    if (trigger === "scheduled" && this.state === "ACTIVE") {
      if (result === "INCONCLUSIVE") {
        this.nextSyncAt = at + Math.min(INTERVAL, Math.min(60_000, INTERVAL / 16) * 2 ** this.retry);
        this.retry++;
      } else {
        this.nextSyncAt = at + INTERVAL;
        this.retry = 0;
      }
    }
  }
}

describe("the pause engine against a reference model", () => {
  let w: PauseWorld;
  beforeAll(async () => {
    w = await pauseWorld({ config: { pauseAfterMs: PAUSE_AFTER, syncIntervalMs: INTERVAL }, scope: false });
  });
  afterAll(() => w.close());

  let run = 0;
  const answer = (key: string, result: AuthOutcome) =>
    result === "OK" ? w.tool.setKey(key) : w.tool.setKey(key, { outcome: result });

  it("holds for random sequences of outcomes and time steps", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        const key = `prop-${++run}`;
        w.tool.setKey(key);
        const created = await w.importIntegration(key);
        const id = created.id;
        const model = new Model(Date.parse(created.next_sync_at ?? ""));
        const now = () => w.t.clock.now().getTime();
        try {
          for (const [i, c] of commands.entries()) {
            switch (c.kind) {
              case "wait":
                w.t.clock.advance(c.ms);
                break;
              case "scheduled": {
                answer(key, c.outcome);
                if (model.nextSyncAt !== null && model.nextSyncAt > now()) w.t.clock.set(model.nextSyncAt);
                const due = model.nextSyncAt !== null && model.nextSyncAt <= now();
                await w.t.server.scheduler.runDue();
                if (due) model.check(c.outcome, now(), "scheduled");
                break;
              }
              case "manual": {
                answer(key, c.outcome);
                const response = await w.t.request("POST", `/v1/integrations/${id}/check-auth`);
                if (model.state === "INACTIVE") {
                  expect(response.status).toBe(409);
                } else {
                  expect(response.status).toBe(200);
                  model.check(c.outcome, now(), "manual");
                }
                break;
              }
              case "disable":
              case "enable": {
                const enable = c.kind === "enable";
                const response = await w.t.request("PUT", `/v1/integrations/${id}/enabled`, {
                  body: { value: enable },
                });
                expect(response.status).toBe(200);
                if (enable && model.state === "INACTIVE") {
                  model.state = "ACTIVE";
                  model.nextSyncAt = now();
                  model.retry = 0;
                  model.events.push("state:ACTIVE:ENABLED");
                } else if (!enable && model.state !== "INACTIVE") {
                  model.state = "INACTIVE";
                  model.nextSyncAt = null;
                  model.events.push("state:INACTIVE:DISABLED");
                }
                break;
              }
            }
            const view = (await (await w.t.request("GET", `/v1/integrations/${id}`)).json()) as Integration;
            const failing = model.failingSince === null ? null : new Date(model.failingSince).toISOString();
            expect(
              {
                state: view.state,
                status: view.auth.status,
                failing_since: view.auth.failing_since,
                failed_checks: view.auth.failed_checks,
                pauses_at: view.auth.pauses_at,
                next_sync_at: view.next_sync_at,
              },
              `after command ${i}: ${JSON.stringify(c)}`,
            ).toEqual({
              state: model.state,
              status: failing ? "FAILING" : "OK",
              failing_since: failing,
              failed_checks: model.failedChecks,
              pauses_at:
                model.state === "ACTIVE" && model.failingSince !== null
                  ? new Date(model.failingSince + PAUSE_AFTER).toISOString()
                  : null,
              next_sync_at: model.nextSyncAt === null ? null : new Date(model.nextSyncAt).toISOString(),
            });
          }
          // Every transition announced exactly once, in order.
          expect(transitions(await w.events(id))).toEqual(model.events);
        } finally {
          await w.t.request("DELETE", `/v1/integrations/${id}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
