/** Stands for "your connector module" in the docs: the custom-connector example's connector. */
export { staffbookConnector } from "../../examples/custom-connector/src/connector.ts";
