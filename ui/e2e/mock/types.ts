import type { PromptDto, SiteDto, WalletState } from "../../src/lib/backend/bindings";

/** How a test sets up the fake backend (see install.ts). */
export interface MockConfig {
  state?: WalletState;
  osKeyringAvailable?: boolean;
  demo?: boolean;
  balance?: string;
  price?: string;
  unconfirmed?: boolean;
  integrityWarning?: string | null;
  sites?: SiteDto[];
  /** A generated history of this many entries (ids 1..n, newest last), besides what tests add. */
  entries?: number;
  /** How many sites the generated history spreads its payments over (default 12). */
  historySites?: number;
  /** The path the save dialog answers (null: the user closed it). */
  savePath?: string | null;
  /** Rows the fake export writes every 20 ms (default 2000). */
  exportRowsPerTick?: number;
  /** The demo network is held until a sync (as after a restore), or the sync fails. */
  sync?: "ok" | "held" | "failing";
}

export interface MockHandle {
  calls: { cmd: string; args: unknown }[];
  emit: (event: string, payload: unknown) => void;
  makePrompt: (url: string) => PromptDto;
  /** Exports the fake backend finished: path and rows. */
  exports: { path: string; rows: number; format: string }[];
}
