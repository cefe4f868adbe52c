export { type StaffbookOptions, staffbookConnector } from "./connector.ts";
export { createStaffbook, createStaffbookState, type StaffbookState } from "./staffbook.ts";
