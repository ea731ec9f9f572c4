import { describe, expect, it } from "vitest";

import { EnvelopeError, mac, macValid, pairingCode, unwrap, wrap } from "../src/auth";
import { fromBase64Url, toBase64Url } from "../src/b64";
import { allVectors } from "./vectors";

const vectors = allVectors();

describe.each(vectors)("vectors of $source", (v) => {
  it("has vectors", () => {
    expect(v.mac.length + v.pairing.length).toBeGreaterThan(0);
  });
  it.each(v.mac)("MAC $direction seq $seq", async (m) => {
    expect(await mac(m.key, m.direction, m.session, m.seq, m.body)).toBe(m.mac);
    expect(await macValid(m.key, m.direction, m.session, m.seq, m.body, m.mac)).toBe(true);
  });
  it.each(v.pairing)("pairing code $code", async (p) => {
    expect(await pairingCode(p.session, p.extNonce, p.appNonce)).toBe(p.code);
  });
});

const key = toBase64Url(new Uint8Array(32).fill(9));
const session = toBase64Url(new Uint8Array(32).fill(1));
const pairingId = toBase64Url(new Uint8Array(16).fill(2));

/** The app's answer to request `seq`, MACed as the app does (direction `res`). */
async function answer(seq: number, body: object, opts: { direction?: "req" | "res" } = {}) {
  const text = JSON.stringify(body);
  return {
    pairingId,
    seq,
    body: text,
    mac: await mac(key, opts.direction ?? "res", session, seq, text),
  };
}

describe("the envelope", () => {
  it("wraps a request with its MAC over direction req, the session and the seq", async () => {
    const body = JSON.stringify({ id: 3, type: "status" });
    const env = await wrap(pairingId, key, session, 3, body);
    expect(env).toEqual({ pairingId, seq: 3, body, mac: env.mac });
    expect(await macValid(key, "req", session, 3, body, env.mac)).toBe(true);
    expect(await macValid(key, "res", session, 3, body, env.mac)).toBe(false);
    expect(await macValid(key, "req", session, 4, body, env.mac)).toBe(false);
    const other = toBase64Url(new Uint8Array(32).fill(7));
    expect(await macValid(key, "req", other, 3, body, env.mac)).toBe(false);
  });

  it("accepts an answer to a waiting request and returns its body", async () => {
    const got = await unwrap(
      await answer(5, { id: 5, ok: true, paused: true }),
      pairingId,
      key,
      session,
      new Set([4, 5]),
    );
    expect(got).toEqual({ seq: 5, body: { id: 5, ok: true, paused: true } });
  });

  const refused: [string, () => Promise<unknown>, Set<number>][] = [
    [
      "a seq no request is waiting for (replayed)",
      () => answer(5, { id: 5, ok: true }),
      new Set([6]),
    ],
    [
      "a request's MAC (direction req)",
      () => answer(5, { id: 5 }, { direction: "req" }),
      new Set([5]),
    ],
    [
      "an edited body",
      async () => ({ ...(await answer(5, { id: 5, ok: true })), body: '{"id":5,"ok":false}' }),
      new Set([5]),
    ],
    [
      "another pairing",
      async () => ({ ...(await answer(5, { id: 5 })), pairingId: "AAAA" }),
      new Set([5]),
    ],
    ["a body whose id is not its seq", () => answer(5, { id: 6, ok: true }), new Set([5])],
    ["no seq", async () => ({ ...(await answer(5, { id: 5 })), seq: "5" }), new Set([5])],
    [
      "a MAC that is not base64url",
      async () => ({ ...(await answer(5, { id: 5 })), mac: "!!" }),
      new Set([5]),
    ],
    ["not an object", async () => "hello", new Set([5])],
  ];
  it.each(refused)("refuses %s", async (_what, frame, waiting) => {
    await expect(unwrap(await frame(), pairingId, key, session, waiting)).rejects.toBeInstanceOf(
      EnvelopeError,
    );
  });

  it("refuses a key that is not 32 bytes", async () => {
    await expect(mac(toBase64Url(new Uint8Array(16)), "req", session, 1, "{}")).rejects.toThrow(
      /32 bytes/,
    );
  });
});

describe("the pairing code", () => {
  it("is six digits in two groups, and changes with any input", async () => {
    const n = (b: number, len: number) => toBase64Url(new Uint8Array(len).fill(b));
    const code = await pairingCode(n(1, 32), n(2, 16), n(3, 16));
    expect(code).toMatch(/^\d{3} \d{3}$/);
    expect(await pairingCode(n(1, 32), n(2, 16), n(4, 16))).not.toBe(code);
    expect(await pairingCode(n(1, 32), n(5, 16), n(3, 16))).not.toBe(code);
  });
});

describe("base64url", () => {
  it("round-trips without padding and refuses other alphabets", () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1]);
    expect(toBase64Url(bytes)).toBe("-_-_AAE");
    expect([...fromBase64Url("-_-_AAE")]).toEqual([...bytes]);
    expect(() => fromBase64Url("+/+/AAE")).toThrow();
    expect(() => fromBase64Url("A")).toThrow();
  });
});
