/** Minting flow tokens: the examples of docs/sdk.md. */
// #region mint-relink
import { mintConnectToken, mintRelinkToken } from "@relink/sdk/server";

export async function relinkToken(integrationId: string) {
  return mintRelinkToken({
    workspaceId: process.env.RELINK_WORKSPACE_ID!,
    key: { id: process.env.RELINK_SIGNING_KEY_ID!, secret: process.env.RELINK_SIGNING_SECRET! },
    integrationId,
    scopeConfigId: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s", // optional: ask for this scope's permissions
    locale: "de", // optional: en, de, fr, it, es
    expiresIn: "10m", // default 15 minutes, at most 1 hour
  });
}
// #endregion mint-relink

// #region mint-connect
export async function connectToken(org: { id: string; name: string; adminEmail: string }) {
  return mintConnectToken({
    workspaceId: process.env.RELINK_WORKSPACE_ID!,
    key: { id: process.env.RELINK_SIGNING_KEY_ID!, secret: process.env.RELINK_SIGNING_SECRET! },
    endUser: { originId: org.id, organizationName: org.name, email: org.adminEmail },
    tool: "demo-hris", // optional: absent = the end user picks the tool
  });
}
// #endregion mint-connect

// #region mint-eddsa
// The private key never leaves your backend; relink only knows the public half.
export async function relinkTokenEd25519(integrationId: string) {
  return mintRelinkToken({
    workspaceId: process.env.RELINK_WORKSPACE_ID!,
    key: { id: process.env.RELINK_SIGNING_KEY_ID!, privateKey: JSON.parse(process.env.RELINK_SIGNING_JWK!) },
    integrationId,
  });
}
// #endregion mint-eddsa
