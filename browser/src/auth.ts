// The pairing code and the authenticated envelope of every message after pairing
// (docs/browser.md, "Pairing" and "Every later message"). WebCrypto only: the key never leaves
// storage.local and this module.
import { fromBase64Url, toBase64Url } from "./b64.js";

const MAC_CONTEXT = "centime-browser-v1";
const PAIR_CONTEXT = "centime-pair-v1";

export type Direction = "req" | "res";

/** What goes on the wire after pairing. */
export interface Envelope {
  pairingId: string;
  seq: number;
  body: string;
  mac: string;
}

const utf8 = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function macInput(direction: Direction, session: string, seq: number, body: string): string {
  return `${MAC_CONTEXT}\n${direction}\n${session}\n${seq}\n${body}`;
}

async function hmacKey(key: string): Promise<CryptoKey> {
  const raw = fromBase64Url(key);
  if (raw.length !== 32) throw new Error("the pairing key is not 32 bytes");
  return crypto.subtle.importKey("raw", concat([raw]), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

export async function mac(
  key: string,
  direction: Direction,
  session: string,
  seq: number,
  body: string,
): Promise<string> {
  const k = await hmacKey(key);
  const input = concat([utf8.encode(macInput(direction, session, seq, body))]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", k, input)));
}

/** Constant-time comparison is WebCrypto's (verify), not a string compare. */
export async function macValid(
  key: string,
  direction: Direction,
  session: string,
  seq: number,
  body: string,
  given: string,
): Promise<boolean> {
  let sig: Uint8Array;
  try {
    sig = fromBase64Url(given);
  } catch {
    return false;
  }
  const k = await hmacKey(key);
  const input = concat([utf8.encode(macInput(direction, session, seq, body))]);
  return crypto.subtle.verify("HMAC", k, concat([sig]), input);
}

/**
 * The 6 digits both screens show: the first 20 bits of SHA-256 over the context and the three
 * random values (raw bytes), reduced to 6 decimal digits, grouped "123 456".
 */
export async function pairingCode(
  session: string,
  extNonce: string,
  appNonce: string,
): Promise<string> {
  const input = concat([
    utf8.encode(PAIR_CONTEXT),
    fromBase64Url(session),
    fromBase64Url(extNonce),
    fromBase64Url(appNonce),
  ]);
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  const bits20 = (((d[0] ?? 0) << 12) | ((d[1] ?? 0) << 4) | ((d[2] ?? 0) >> 4)) % 1_000_000;
  const digits = String(bits20).padStart(6, "0");
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

export async function wrap(
  pairingId: string,
  key: string,
  session: string,
  seq: number,
  body: string,
): Promise<Envelope> {
  return { pairingId, seq, body, mac: await mac(key, "req", session, seq, body) };
}

/** Why an answer was not accepted; the connection is dropped on any of them. */
export class EnvelopeError extends Error {}

/**
 * Checks an answer: the pairing it names, its MAC (direction `res`, this session), and that its
 * seq is one of a request still waiting (each answered once). Returns the parsed body.
 */
export async function unwrap(
  frame: unknown,
  pairingId: string,
  key: string,
  session: string,
  waiting: ReadonlySet<number>,
): Promise<{ seq: number; body: Record<string, unknown> }> {
  if (typeof frame !== "object" || frame === null) throw new EnvelopeError("not an object");
  const f = frame as Record<string, unknown>;
  if (f.pairingId !== pairingId) throw new EnvelopeError("another pairing");
  if (typeof f.seq !== "number" || !Number.isSafeInteger(f.seq) || f.seq < 1) {
    throw new EnvelopeError("no sequence number");
  }
  if (typeof f.body !== "string" || typeof f.mac !== "string") throw new EnvelopeError("no body");
  if (!(await macValid(key, "res", session, f.seq, f.body, f.mac))) {
    throw new EnvelopeError("wrong MAC");
  }
  if (!waiting.has(f.seq)) throw new EnvelopeError(`seq ${f.seq} answers no waiting request`);
  let body: unknown;
  try {
    body = JSON.parse(f.body);
  } catch {
    throw new EnvelopeError("the body is not JSON");
  }
  if (typeof body !== "object" || body === null)
    throw new EnvelopeError("the body is not an object");
  const b = body as Record<string, unknown>;
  if (b.id !== f.seq) throw new EnvelopeError("the body's id is not its seq");
  return { seq: f.seq, body: b };
}
