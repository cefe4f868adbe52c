export {
  type CustomerBackend,
  type CustomerBackendEnv,
  type CustomerBackendOptions,
  createCustomerBackend,
} from "./app.ts";
export { type Customer, type CustomerInit, CustomerStore, type ReconnectReason } from "./customers.ts";
export { type DemoControlsOptions, demoControls } from "./demo-controls.ts";
export {
  describeOutcome,
  EmployeeStore,
  type OwnSyncOptions,
  type OwnSyncOutcome,
  refused,
  type StoredEmployee,
  type StoredEmployees,
  syncEmployees,
} from "./own-sync.ts";
export { type RunningCustomerBackend, startCustomerBackend } from "./serve.ts";
export { applyWebhook, type ReceivedWebhook, type RefusedWebhook, WebhookLog } from "./webhooks.ts";
