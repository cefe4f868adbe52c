export * from "./demo-hris.ts";
export * from "./demo-hris-oauth.ts";
export * from "./http.ts";
export * from "./types.ts";
