export * from "./catalog.ts";
export * from "./declared/connector.ts";
export * from "./declared/load.ts";
export * from "./declared/schema.ts";
export * from "./http.ts";
export * from "./modules.ts";
export * from "./types.ts";
