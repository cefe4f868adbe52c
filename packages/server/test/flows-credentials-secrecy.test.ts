import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, startFlowWorld } from "./flows-support.ts";

/**
 * A submitted credential is never repeated back: not in any answer, not in any log line, however
 * malformed it is. A value no tool could receive (a control character: CR, LF, NUL, tab…) is a
 * `400 INVALID_REQUEST` naming the field (`values.api_key`), never a `503 TOOL_UNREACHABLE` quoting
 * the key. Over real HTTP with the demo HR system, whose connector sends the key in a header.
 */
const SECRET = "rlk-SECRET-7f3a9c2e5b1d";

/** The secret in every malformed shape worth trying, and whether it is a control-character case. */
const MALFORMED: Array<[string, string, boolean]> = [
  ["a trailing CRLF", `${SECRET}\r\n`, true],
  ["a CRLF and an injected header", `${SECRET}\r\nX-Injected: 1`, true],
  ["a bare LF", `${SECRET}\nmore`, true],
  ["a bare CR", `${SECRET}\rmore`, true],
  ["a NUL", `${SECRET}\u0000`, true],
  ["a tab", `${SECRET}\tx`, true],
  ["a vertical tab and form feed", `${SECRET}\u000b\u000c`, true],
  ["an escape sequence", `\u001b[31m${SECRET}`, true],
  ["a DEL", `${SECRET}\u007f`, true],
  ["a leading LF", `\n${SECRET}`, true],
  ["characters beyond Latin-1", `${SECRET}€漢`, false],
  ["a NEL (U+0085)", `${SECRET}\u0085`, false],
  ["a line separator (U+2028)", `${SECRET}\u2028`, false],
  ["spaces inside", `${SECRET} ${SECRET}`, false],
  ["over 4096 characters", SECRET.repeat(400), false],
  ["a valid-looking wrong key", SECRET, false],
];

describe.each(availableDialects())("submitted credentials are never echoed on %s", (dialect) => {
  let w: FlowWorld;
  let integrationId: string;
  beforeAll(async () => {
    w = await startFlowWorld({ dialect });
    await w.scopeConfig("Employees", S1_MODELS);
    const key = await w.issueKey("acme", ["employees:read"]);
    const imported = await w.api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: "acme-1", organization_name: "Acme" },
      credentials: { api_key: key },
    });
    expect(imported.status).toBe(201);
    integrationId = ((await imported.json()) as { id: string }).id;
  });
  afterAll(() => w?.close());

  const relinkToken = async () => {
    const made = await w.api("POST", `/v1/integrations/${integrationId}/relink`, {});
    expect(made.status).toBe(201);
    return ((await made.json()) as { token: string }).token;
  };

  const leaks = (text: string) => text.includes(SECRET) || text.includes(JSON.stringify(SECRET).slice(1, -1));

  it.each(MALFORMED)(
    "%s: refused without the value, in the connect flow and the import",
    async (_what, value, control) => {
      const logsBefore = w.logLines.length;
      const token = await relinkToken();
      const answers: Array<[string, Response]> = [
        [
          "POST /connect/v1/credentials",
          await w.connect("POST", "/connect/v1/credentials", token, { values: { api_key: value } }),
        ],
        [
          "POST /v1/integrations",
          await w.api("POST", "/v1/integrations", {
            tool: "demo-hris",
            end_user: { origin_id: "acme-2", organization_name: "Acme" },
            credentials: { api_key: value },
          }),
        ],
      ];
      for (const [where, response] of answers) {
        const text = await response.text();
        const label = `${where}: ${response.status} ${text.slice(0, 300)}`;
        expect(leaks(text), label).toBe(false);
        expect(leaks(JSON.stringify([...response.headers])), label).toBe(false);
        expect(response.status, label).not.toBe(500);
        expect(response.status, label).toBeGreaterThanOrEqual(400);
        if (control) {
          const body = JSON.parse(text) as {
            error: { code: string; message: string; details: { issues: Array<{ path: string }> } };
          };
          expect(response.status, label).toBe(400);
          expect(body.error.code).toBe("INVALID_REQUEST");
          expect(body.error.details.issues.map((issue) => issue.path)).toContainEqual(
            where.includes("connect") ? "body.values.api_key" : "body.credentials.api_key",
          );
        } else if (response.status === 503) {
          // Only a tool that could not be reached is a 503; a key that cannot be sent is no reason.
          throw new Error(`${label}: a malformed key answered as an unreachable tool`);
        }
      }
      const logged = w.logLines.slice(logsBefore).filter(leaks);
      expect(logged).toEqual([]);
    },
  );

  it("names only the field: several bad values and an unknown field, none of the values quoted", async () => {
    const token = await relinkToken();
    const response = await w.connect("POST", "/connect/v1/credentials", token, {
      values: { api_key: `${SECRET}\r\n`, other_field: `${SECRET}\u0000`, third: SECRET },
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    const body = JSON.parse(text) as { error: { details: { issues: Array<{ path: string }> } } };
    expect(body.error.details.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(["body.values.api_key", "body.values.other_field"]),
    );
    expect(text).not.toContain(SECRET.slice(4));
  });
});
