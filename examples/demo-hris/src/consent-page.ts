import type { Company } from "./data.ts";
import { PERMISSION_DESCRIPTIONS, type Permission } from "./permissions.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 32rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
  h1 { font-size: 1.4rem; }
  fieldset { border: 1px solid #8884; border-radius: 0.5rem; margin: 1rem 0; }
  label.permission { display: block; margin: 0.5rem 0; }
  label.permission small { display: block; margin-left: 1.6rem; opacity: 0.75; }
  .actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
  button { font: inherit; padding: 0.5rem 1.25rem; border-radius: 0.4rem; border: 1px solid #8886; cursor: pointer; }
  button[value="approve"] { background: #2563eb; color: white; border-color: #2563eb; }
  .redirect { font-size: 0.85rem; opacity: 0.75; word-break: break-all; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Demo HRIS</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export interface ConsentPageInput {
  clientName: string;
  redirectUri: string;
  scopes: readonly Permission[];
  companies: readonly Company[];
  selectedCompanyId: string | undefined;
  /** Authorization request parameters to post back unchanged. */
  hiddenFields: Readonly<Record<string, string>>;
}

/** The page where a demo user picks a company and approves or denies the client's request. */
export function renderConsentPage(input: ConsentPageInput): string {
  const hidden = Object.entries(input.hiddenFields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n  ");
  // Nothing is preselected unless the request names a company: a browser would otherwise pick the
  // first one, and a user who did not look would connect another company's data.
  const chosen = input.companies.some((company) => company.id === input.selectedCompanyId);
  const placeholder = `<option value="" disabled${chosen ? "" : " selected"}>Choose your company…</option>`;
  const companies = [
    placeholder,
    ...input.companies.map(
      (company) =>
        `<option value="${escapeHtml(company.id)}"${company.id === input.selectedCompanyId ? " selected" : ""}>${escapeHtml(company.name)}</option>`,
    ),
  ].join("\n      ");
  const permissions = input.scopes
    .map(
      (
        scope,
      ) => `<label class="permission"><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> <code>${escapeHtml(scope)}</code>
      <small>${escapeHtml(PERMISSION_DESCRIPTIONS[scope])}</small></label>`,
    )
    .join("\n    ");
  return page(
    "Authorize",
    `<main>
<h1><strong>${escapeHtml(input.clientName)}</strong> wants to access your HR data</h1>
<form method="post" action="/oauth/authorize">
  ${hidden}
  <p><label>Company
    <select name="company_id" required>
      ${companies}
    </select></label></p>
  <fieldset>
    <legend>Permissions requested (uncheck to withhold)</legend>
    ${permissions}
  </fieldset>
  <p class="redirect">You will be sent back to ${escapeHtml(input.redirectUri)}</p>
  <div class="actions">
    <button name="decision" value="approve">Approve</button>
    <button name="decision" value="deny" formnovalidate>Deny</button>
  </div>
</form>
</main>`,
  );
}

/** Shown instead of redirecting when the client or redirect URI cannot be trusted. */
export function renderErrorPage(title: string, message: string): string {
  return page(title, `<main>\n<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n</main>`);
}
