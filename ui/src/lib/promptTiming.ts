/** How long "Pay" stays disabled after the prompt is shown or the window regains focus. */
export const PAY_DELAY_MS = 1000;
/** The same for a request a web page's link made: the page chose when it appears, so a click
 * it lured cannot land on Pay. */
export const LINK_PAY_DELAY_MS = 1500;

/** The delay for a prompt from `source` (`link`, `typed` or `browser`): a page in the browser
 * chose when its request appears, as a link's page does. */
export function payDelayMs(source: string): number {
  return source === "link" || source === "browser" ? LINK_PAY_DELAY_MS : PAY_DELAY_MS;
}

export interface PromptPhase {
  /** Whole seconds until Pay can be pressed (0 once it can). */
  payInSeconds: number;
  payEnabled: boolean;
  /** Seconds left before the request is void. */
  secondsLeft: number;
  expired: boolean;
}

/**
 * The prompt's state at `nowMs`: Pay unlocks `delayMs` after `armedAtMs`, and everything
 * ends at `expiresAtSec` (Unix seconds).
 */
export function promptPhase(
  nowMs: number,
  armedAtMs: number,
  expiresAtSec: number,
  delayMs: number = PAY_DELAY_MS,
): PromptPhase {
  const waitMs = Math.max(0, armedAtMs + delayMs - nowMs);
  const leftMs = expiresAtSec * 1000 - nowMs;
  const expired = leftMs <= 0;
  return {
    payInSeconds: Math.ceil(waitMs / 1000),
    payEnabled: waitMs === 0 && !expired,
    secondsLeft: Math.max(0, Math.ceil(leftMs / 1000)),
    expired,
  };
}
