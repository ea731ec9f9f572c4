import { describe, expect, it } from "vitest";
import { LINK_PAY_DELAY_MS, PAY_DELAY_MS, payDelayMs, promptPhase } from "./promptTiming";
import { formatCountdown } from "./time";

const T0 = 1_700_000_000_000;

describe("promptPhase", () => {
  it("keeps Pay disabled for the delay, then enables it", () => {
    const exp = T0 / 1000 + 60;
    expect(promptPhase(T0, T0, exp)).toMatchObject({ payEnabled: false, payInSeconds: 1 });
    expect(promptPhase(T0 + PAY_DELAY_MS - 1, T0, exp).payEnabled).toBe(false);
    expect(promptPhase(T0 + PAY_DELAY_MS, T0, exp)).toMatchObject({
      payEnabled: true,
      payInSeconds: 0,
      secondsLeft: 59,
      expired: false,
    });
  });

  it("a link's prompt waits at least 1.5 s before Pay", () => {
    const exp = T0 / 1000 + 60;
    const delay = payDelayMs("link");
    expect(delay).toBe(LINK_PAY_DELAY_MS);
    expect(delay).toBeGreaterThanOrEqual(1500);
    expect(payDelayMs("typed")).toBe(PAY_DELAY_MS);
    expect(payDelayMs("browser")).toBe(LINK_PAY_DELAY_MS);
    expect(promptPhase(T0 + 1499, T0, exp, delay).payEnabled).toBe(false);
    expect(promptPhase(T0 + 1500, T0, exp, delay).payEnabled).toBe(true);
  });

  it("re-arming restarts the delay", () => {
    const exp = T0 / 1000 + 60;
    expect(promptPhase(T0 + 5000, T0 + 4500, exp).payEnabled).toBe(false);
  });

  it("expires at expiresAt, and Pay is off once expired", () => {
    const exp = T0 / 1000 + 2;
    expect(promptPhase(T0 + 1999, T0, exp)).toMatchObject({ expired: false, secondsLeft: 1 });
    expect(promptPhase(T0 + 2000, T0, exp)).toMatchObject({
      expired: true,
      payEnabled: false,
      secondsLeft: 0,
    });
  });
});

describe("time helpers", () => {
  it("counts down as m:ss", () => {
    expect(formatCountdown(65)).toBe("1:05");
    expect(formatCountdown(0.2)).toBe("0:01");
    expect(formatCountdown(-3)).toBe("0:00");
  });
});
