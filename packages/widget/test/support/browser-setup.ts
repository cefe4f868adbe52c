import { inject } from "vitest";

// The relink server answers CORS only for a workspace's allowed origins: allow this test page's.
const { control } = inject("widget");
await fetch(`${control}/allow-origin`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ origin: location.origin }),
});
