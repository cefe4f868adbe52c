import { describe, expect, it } from "vitest";
import { staffbookConnector } from "../src/connector.ts";
import { createStaffbook } from "../src/staffbook.ts";

/** The connector against the Staffbook stand-in, its `fetch` wired to the app (no port). */
function setup() {
  const staffbook = createStaffbook();
  const connector = staffbookConnector({
    baseUrl: "http://staffbook.test",
    timeoutMs: 200,
    fetch: (input, init) => Promise.resolve(staffbook.app.fetch(new Request(input, init))),
  });
  const signal = new AbortController().signal;
  return { staffbook, connector, signal };
}

describe("staffbookConnector", () => {
  it("OK for a valid token, AUTH_FAILED once it is revoked or missing", async () => {
    const { staffbook, connector, signal } = setup();
    const token = staffbook.issueToken(["people"]);
    expect((await connector.checkAuth({ credentials: { api_token: token }, signal })).outcome).toBe("OK");
    staffbook.revokeToken(token);
    expect(await connector.checkAuth({ credentials: { api_token: token }, signal })).toMatchObject({
      outcome: "AUTH_FAILED",
      detail: "Staffbook rejected the token (401)",
    });
    expect((await connector.checkAuth({ credentials: {}, signal })).outcome).toBe("AUTH_FAILED");
  });

  it("an outage, a timeout or a malformed answer is INCONCLUSIVE, never AUTH_FAILED", async () => {
    const { staffbook, connector, signal } = setup();
    const token = staffbook.issueToken(["people"]);
    staffbook.state.outage = true;
    expect((await connector.checkAuth({ credentials: { api_token: token }, signal })).outcome).toBe(
      "INCONCLUSIVE",
    );

    const hanging = staffbookConnector({
      baseUrl: "http://staffbook.test",
      timeoutMs: 50,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        ),
    });
    expect((await hanging.checkAuth({ credentials: { api_token: token }, signal })).outcome).toBe(
      "INCONCLUSIVE",
    );

    const nonsense = staffbookConnector({
      baseUrl: "http://staffbook.test",
      fetch: async () => new Response("<html>login</html>", { status: 200 }),
    });
    expect((await nonsense.checkAuth({ credentials: { api_token: token }, signal })).outcome).toBe(
      "INCONCLUSIVE",
    );
  });

  it("reports granted permissions and the account", async () => {
    const { staffbook, connector, signal } = setup();
    const credentials = { api_token: staffbook.issueToken(["people", "absences"]) };
    expect(await connector.grantedPermissions({ credentials, signal })).toEqual(["people", "absences"]);
    expect(await connector.accountIdentity({ credentials, signal })).toEqual({
      id: "org_initech",
      name: "Initech",
    });
  });

  it("syncs only the enabled models and fields, in relink's vocabulary", async () => {
    const { staffbook, connector, signal } = setup();
    const credentials = { api_token: staffbook.issueToken(["people", "absences"]) };
    if (!connector.sync) throw new Error("the connector syncs");
    const { records } = await connector.sync({
      credentials,
      signal,
      models: [
        { model: "employees", fields: ["first_name", "work_email"] },
        { model: "time_off_requests", fields: ["employee_id", "status"] },
      ],
    });
    expect(records.employees?.[0]).toEqual({
      id: "p1",
      data: { first_name: "Peter", work_email: "peter@initech.example" },
    });
    expect(records.time_off_requests?.map((r) => r.data.status)).toEqual(["APPROVED", "REQUESTED"]);
  });
});
