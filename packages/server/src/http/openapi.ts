import { OpenAPIHono } from "@hono/zod-openapi";
import { ErrorEnvelopeSchema } from "@relink/sdk/contract";
import type { z } from "zod";
import type { AppEnv } from "./env.ts";
import { validationHook } from "./middleware.ts";

/** A feature's sub-app: validation failures become `400 INVALID_REQUEST` in the error envelope. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const errorDescriptions: Record<number, string> = {
  400: "Invalid request (the error envelope lists the issues)",
  401: "Missing or invalid credentials",
  404: "Not found (also for resources of another workspace)",
  409: "Conflict with the resource's state",
  410: "Gone: the relink link was revoked (`LINK_REVOKED`)",
  413: "Body too large",
  422: "Refused by validation against the catalog or the tool",
  429: "Rate limited; see Retry-After",
  503: "A dependency (the tool) is unavailable",
};

/** The error responses a route can give, each with the error envelope. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    [400, 401, ...statuses].map((status) => [
      status,
      json(ErrorEnvelopeSchema, errorDescriptions[status] ?? "Error"),
    ]),
  );
}

export const bearerSecurity = [{ apiKey: [] }];
export const flowTokenSecurity = [{ flowToken: [] }];
