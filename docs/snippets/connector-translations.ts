/** A connector's labels in other languages: the example of docs/connectors.md. Type-checked. */
import type { Connector } from "@relink/server";

// #region translations
// In the connector object, next to `tool`: by locale (en, de, fr, it, es), then by id.
export const translations: Connector["translations"] = {
  de: {
    permissions: {
      people: {
        label: "Personen",
        description: "Namen, geschäftliche E-Mail und Geburtstag aller Personen.",
      },
      absences: { label: "Abwesenheiten", description: "Abwesenheiten mit Zeitraum und Genehmigung." },
    },
    authFields: { api_token: { label: "API-Token" } },
    models: { employees: { label: "Mitarbeitende", fields: { first_name: "Vorname" } } },
  },
};
// #endregion translations
