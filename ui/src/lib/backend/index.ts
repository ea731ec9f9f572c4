export * as backend from "./commands";
export { onExportProgress, subscribe, type BackendEventHandlers } from "./events";
export { toAppError } from "./errors";
export type * from "./bindings";
