// The browser-safe entry: the management client. Filled in by the SDK issue.
export type { ErrorCode } from "./contract/index.ts";
