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
}

export interface MockHandle {
  calls: { cmd: string; args: unknown }[];
  emit: (event: string, payload: unknown) => void;
  makePrompt: (url: string) => PromptDto;
}
