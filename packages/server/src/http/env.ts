import type { Logger } from "../logging.ts";

/** What middleware puts on a request's context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by API-key authentication on `/v1`. */
    workspaceId: string;
    apiKeyId: string;
  };
}
