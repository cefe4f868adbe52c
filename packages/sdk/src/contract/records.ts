import { z } from "zod";
import { TimestampSchema } from "./common.ts";

export const RecordListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(400).optional(),
  /** Only records stored (synced) after this time. */
  updated_after: TimestampSchema.optional(),
});
export type RecordListQuery = z.infer<typeof RecordListQuerySchema>;

/** A synced record: only the fields the integration's current scope config enables. */
export const SyncedRecordSchema = z
  .object({
    /** relink's id of the record (stable for the integration, model and remote id). */
    id: z.string(),
    /** The record's id in the tool. */
    remote_id: z.string(),
    fields: z.record(z.string(), z.unknown()),
    /** When relink last stored it. */
    updated_at: TimestampSchema,
  })
  .meta({ id: "SyncedRecord" });
export type SyncedRecord = z.infer<typeof SyncedRecordSchema>;
