import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * The served OpenAPI document as a JSON Schema validator (draft 2020-12, the dialect of OpenAPI
 * 3.1) with formats checked: any schema of the document is validated by its JSON pointer, with its
 * `$ref`s resolved inside the document.
 */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
  [key: string]: unknown;
}

export interface Operation {
  operationId?: string;
  security?: unknown;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  parameters?: Array<{ name: string; in: string }>;
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

/** Every operation of the document: `GET /v1/integrations/{id}` with its object. */
export function operations(
  doc: OpenApiDocument,
): Array<{ method: string; path: string; operation: Operation; key: string }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((method) => ({
      method,
      path,
      operation: item[method] as Operation,
      key: `${method.toUpperCase()} ${path}`,
    })),
  );
}

/** A JSON pointer segment (RFC 6901). */
export const pointer = (...segments: string[]) =>
  segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

export function schemaValidator(doc: OpenApiDocument) {
  // `strict: false`: the document has OpenAPI keywords beside the schemas (and `example`s).
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(doc as object, "openapi.json");
  const compiled = new Map<string, ValidateFunction>();
  return {
    /** Validates `value` against the schema at `#/<path>`; returns the errors, or [] when valid. */
    errors(path: string, value: unknown): string[] {
      let validate = compiled.get(path);
      if (!validate) {
        validate = ajv.compile({ $ref: `openapi.json#/${path}` });
        compiled.set(path, validate);
      }
      return validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`);
    },
  };
}
