import type { Branding } from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";

/** The workspace's brand (product name, logo URL, accent colour), shown to end users. */
export async function readBranding(db: RelinkContext["db"], workspaceId: string): Promise<Branding> {
  const row = await db
    .selectFrom("workspaces")
    .select(["brand_product_name", "brand_logo_url", "brand_accent_color"])
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  return {
    product_name: row?.brand_product_name ?? null,
    logo_url: row?.brand_logo_url ?? null,
    accent_color: row?.brand_accent_color ?? null,
  };
}

/** Replaces the workspace's brand; a field left out is unset. */
export async function writeBranding(
  db: RelinkContext["db"],
  workspaceId: string,
  branding: Partial<Branding>,
): Promise<Branding> {
  await db
    .updateTable("workspaces")
    .set({
      brand_product_name: branding.product_name ?? null,
      brand_logo_url: branding.logo_url ?? null,
      brand_accent_color: branding.accent_color ?? null,
    })
    .where("id", "=", workspaceId)
    .execute();
  return readBranding(db, workspaceId);
}
