/** The dashboard's entry: defines `<relink-dashboard>` and the page elements. */
import "./dashboard-app.ts";
