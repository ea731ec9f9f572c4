export * as backend from "./commands";
export {
  onExportProgress,
  onPairing,
  onSyncFinished,
  subscribe,
  type BackendEventHandlers,
} from "./events";
export { toAppError } from "./errors";
export type * from "./bindings";
