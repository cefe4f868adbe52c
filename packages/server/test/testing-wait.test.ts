import { describe, expect, it } from "vitest";
import { waitFor } from "../src/testing/wait.ts";

/** `waitFor` from `@relink/server/testing`: the tests' one way of waiting. */
describe("waitFor", () => {
  it("returns the condition's first truthy value", async () => {
    let n = 0;
    await expect(waitFor("n reaches 3", () => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  it("gives up after its deadline, saying what it waited for and what is missing", async () => {
    await expect(
      waitFor("never", () => false, { timeoutMs: 50, intervalMs: 5, describe: () => "7 not yet" }),
    ).rejects.toThrow("timed out after 50 ms waiting for never: 7 not yet");
  });

  it("with progress, waits past the deadline while the measure keeps changing (a busy machine, slow but moving)", async () => {
    const started = performance.now();
    let polls = 0;
    const value = await waitFor(
      "done after three deadlines' worth of progress",
      () => {
        polls++;
        return performance.now() - started > 1_500 ? "done" : false;
      },
      { timeoutMs: 500, intervalMs: 10, progress: () => polls },
    );
    expect(value).toBe("done");
    expect(performance.now() - started).toBeGreaterThan(1_500);
  });

  it("with progress, gives up once the measure stops changing for the deadline", async () => {
    let left = 5;
    await expect(
      waitFor("every item", () => false, {
        timeoutMs: 200,
        intervalMs: 5,
        progress: () => (left > 2 ? left-- : left),
        describe: () => `${left} left`,
      }),
    ).rejects.toThrow("timed out after 200 ms without progress waiting for every item: 2 left");
  });
});
