import { request as httpRequest } from "node:http";
import { mintConnectToken } from "@relink/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, startFlowWorld } from "./flows-support.ts";

const EVIL_HOST = "evil.example";
const EVIL = `http://${EVIL_HOST}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over real HTTP with a `Host` header of our choosing (fetch would replace it). */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${url}${path}`,
      {
        method,
        headers: {
          ...headers,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.once("error", reject);
    req.end(payload);
  });
}

const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

describe.each(availableDialects())(
  "the server's own origin is RELINK_PUBLIC_URL's, never the request's Host on %s",
  (dialect) => {
    let w: FlowWorld;
    let token: string;
    beforeAll(async () => {
      w = await startFlowWorld({ dialect });
      const key = (await (await w.api("POST", "/v1/signing-keys", { algorithm: "HS256" })).json()) as {
        id: string;
        secret: string;
      };
      token = await mintConnectToken({
        workspaceId: w.workspaceId,
        key: { id: key.id, secret: key.secret },
        endUser: { originId: "acme-host", organizationName: "Acme Corp" },
        tool: "demo-hris-oauth",
      });
    });
    afterAll(() => w?.close());

    it("answers no CORS preflight to an origin that only matches a forged Host header", async () => {
      const preflight = await send(w.url, "OPTIONS", "/connect/v1/flow", {
        host: EVIL_HOST,
        origin: EVIL,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      });
      expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    });

    it("refuses a connect API call from an origin that only matches a forged Host header", async () => {
      const flow = await send(w.url, "GET", "/connect/v1/flow", {
        host: EVIL_HOST,
        origin: EVIL,
        authorization: `Bearer ${token}`,
      });
      expect(flow.status, flow.body).toBe(403);
      expect(codeOf(flow)).toBe("ORIGIN_NOT_ALLOWED");
      expect(flow.headers["access-control-allow-origin"]).toBeUndefined();
      // The public URL's origin is still the server's own.
      const own = await send(w.url, "GET", "/connect/v1/flow", {
        host: EVIL_HOST,
        origin: w.url,
        authorization: `Bearer ${token}`,
      });
      expect(own.status, own.body).toBe(200);
    });

    it("refuses an OAuth opener whose origin only matches a forged Host header", async () => {
      const started = await send(
        w.url,
        "POST",
        "/connect/v1/oauth/start",
        { host: EVIL_HOST, authorization: `Bearer ${token}` },
        { origin: EVIL },
      );
      expect(started.status, started.body).toBe(403);
      expect(codeOf(started)).toBe("ORIGIN_NOT_ALLOWED");
      const own = await send(
        w.url,
        "POST",
        "/connect/v1/oauth/start",
        { host: EVIL_HOST, authorization: `Bearer ${token}` },
        { origin: w.url },
      );
      expect(own.status, own.body).toBe(200);
    });
  },
);
