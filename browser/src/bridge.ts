// The native port to `org.centime.wallet` (the host relays to the app): the hello that opens a
// session, the pairing, and authenticated requests (docs/browser.md). Connected on demand and
// again after any disconnect; a request in flight when the port drops fails (the app decides
// again on the next try, and never pays a page twice).
import { ext, HOST_NAME, isFirefox } from "./api.js";
import { EnvelopeError, pairingCode, unwrap, wrap } from "./auth.js";
import { fromBase64Url, randomBytes, toBase64Url } from "./b64.js";

export interface Pairing {
  pairingId: string;
  key: string;
}

export type PairingView =
  | { state: "unpaired"; reason?: string }
  | { state: "pairing"; code?: string }
  | { state: "paired" };

/** An answer `{ok:false}` or a refusal frame, with the app's code (or ours: see below). */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Codes this side gives to failures that have no app answer.
export const LOCAL = {
  noHost: "no_host",
  disconnected: "disconnected",
  badAnswer: "bad_answer",
  codeMismatch: "code_mismatch",
  timeout: "timeout",
} as const;

const STORE_KEY = "pairing";
const HELLO_TIMEOUT_MS = 20_000; // the host waits up to 15 s for the app it starts

type Frame = Record<string, unknown>;

interface Waiting {
  resolve: (body: Frame) => void;
  reject: (e: Error) => void;
}

export class Bridge {
  private port: chrome.runtime.Port | null = null;
  private session: string | null = null;
  private opening: Promise<void> | null = null;
  private helloDone: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private seq = 0;
  private sending: Promise<unknown> = Promise.resolve();
  private waiting = new Map<number, Waiting>();
  private pairing: Pairing | null = null;
  private pairingLoaded: Promise<void>;
  private flow: { nonce: string; code?: string } | null = null;
  private lastReason: string | undefined;

  constructor() {
    this.pairingLoaded = ext.storage.local.get(STORE_KEY).then((got) => {
      this.pairing = parsePairing(got[STORE_KEY]);
    });
  }

  async view(): Promise<PairingView> {
    await this.pairingLoaded;
    if (this.flow)
      return this.flow.code ? { state: "pairing", code: this.flow.code } : { state: "pairing" };
    if (this.pairing) return { state: "paired" };
    return this.lastReason ? { state: "unpaired", reason: this.lastReason } : { state: "unpaired" };
  }

  async paired(): Promise<boolean> {
    await this.pairingLoaded;
    return this.pairing !== null;
  }

  /** Starts a pairing; the code shows in the popup once the app answers. */
  async pair(): Promise<void> {
    this.lastReason = undefined;
    try {
      await this.open();
    } catch (e) {
      this.lastReason = e instanceof BridgeError ? e.code : LOCAL.disconnected;
      throw e;
    }
    const nonce = toBase64Url(randomBytes(16));
    this.flow = { nonce };
    this.post({ type: "pair", nonce, label: isFirefox() ? "Firefox" : "Chromium" });
  }

  /** One authenticated request; resolves to the answer's body when it is `ok`. */
  async request(body: Frame, timeoutMs?: number): Promise<Frame> {
    await this.pairingLoaded;
    if (!this.pairing) throw new BridgeError("unpaired", "not paired with Centime");
    await this.open();
    const pairing = this.pairing;
    const session = this.session;
    if (!pairing || !session) throw new BridgeError(LOCAL.disconnected, "the session closed");
    // The app accepts only increasing seqs: numbering and sending go one at a time, in order.
    const sent = this.sending.then(async () => {
      if (this.session !== session) throw new BridgeError(LOCAL.disconnected, "the session closed");
      this.seq += 1;
      const seq = this.seq;
      const text = JSON.stringify({ id: seq, ...body });
      const envelope = await wrap(pairing.pairingId, pairing.key, session, seq, text);
      const answer = new Promise<Frame>((resolve, reject) => {
        this.waiting.set(seq, { resolve, reject });
        if (timeoutMs !== undefined) {
          setTimeout(() => {
            if (this.waiting.delete(seq))
              reject(new BridgeError(LOCAL.timeout, "no answer in time"));
          }, timeoutMs);
        }
      });
      this.post(envelope);
      // Boxed: a bare promise would be flattened, and the next request would wait for this
      // one's answer instead of its sending.
      return { answer };
    });
    this.sending = sent.then(
      () => undefined,
      () => undefined,
    );
    const got = await (await sent).answer;
    if (got.ok === true) return got;
    const err = (got.error ?? {}) as Frame;
    throw new BridgeError(String(err.code ?? LOCAL.badAnswer), String(err.message ?? "refused"));
  }

  private post(frame: object): void {
    if (!this.port) throw new BridgeError(LOCAL.disconnected, "not connected");
    this.port.postMessage(frame);
  }

  private open(): Promise<void> {
    if (this.port && this.session) return Promise.resolve();
    if (this.opening) return this.opening;
    this.opening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(new BridgeError(LOCAL.noHost, "Centime did not answer"));
      }, HELLO_TIMEOUT_MS);
      this.helloDone = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      let port: chrome.runtime.Port;
      try {
        port = ext.runtime.connectNative(HOST_NAME);
      } catch (e) {
        this.close(new BridgeError(LOCAL.noHost, String(e)));
        return;
      }
      this.port = port;
      port.onMessage.addListener((frame: unknown) => {
        void this.receive(port, frame);
      });
      port.onDisconnect.addListener(() => {
        if (this.port !== port) return;
        const why = ext.runtime.lastError?.message ?? "Centime closed the connection";
        this.close(
          new BridgeError(/not found/i.test(why) ? LOCAL.noHost : LOCAL.disconnected, why),
        );
      });
    }).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /** Drops the connection; everything waiting fails with `why`. The next need connects again. */
  private close(why: BridgeError): void {
    const port = this.port;
    this.port = null;
    this.session = null;
    this.seq = 0;
    if (this.flow) {
      this.flow = null;
      this.lastReason = why.code;
    }
    try {
      port?.disconnect();
    } catch {
      // already gone
    }
    this.helloDone?.reject(why);
    this.helloDone = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(why);
  }

  private async receive(port: chrome.runtime.Port, raw: unknown): Promise<void> {
    if (this.port !== port) return;
    if (typeof raw !== "object" || raw === null) {
      this.close(new BridgeError(LOCAL.badAnswer, "a frame that is not an object"));
      return;
    }
    const frame = raw as Frame;
    if (!this.session) {
      if (frame.type === "hello" && typeof frame.session === "string" && validB64(frame.session)) {
        this.session = frame.session;
        this.helloDone?.resolve();
        this.helloDone = null;
      } else {
        this.close(refusal(frame));
      }
      return;
    }
    // As the app tells them apart: a frame with a "type" is unwrapped (`paired` carries a
    // pairingId too), any other is an envelope.
    if (!("type" in frame)) {
      await this.answer(frame);
      return;
    }
    switch (frame.type) {
      case "pairing":
        await this.pairingShown(frame);
        return;
      case "paired":
        await this.pairedNow(frame);
        return;
      case "error":
        await this.refused(frame);
        return;
      default:
        this.close(new BridgeError(LOCAL.badAnswer, `an unexpected frame: ${String(frame.type)}`));
    }
  }

  private async answer(frame: Frame): Promise<void> {
    const pairing = this.pairing;
    const session = this.session;
    if (!pairing || !session) return;
    try {
      const { seq, body } = await unwrap(
        frame,
        pairing.pairingId,
        pairing.key,
        session,
        new Set(this.waiting.keys()),
      );
      const w = this.waiting.get(seq);
      this.waiting.delete(seq);
      w?.resolve(body);
    } catch (e) {
      const why = e instanceof EnvelopeError ? e.message : String(e);
      this.close(new BridgeError(LOCAL.badAnswer, `an answer was not accepted: ${why}`));
    }
  }

  private async pairingShown(frame: Frame): Promise<void> {
    const flow = this.flow;
    const session = this.session;
    if (!flow || !session || typeof frame.nonce !== "string" || !validB64(frame.nonce)) {
      this.close(new BridgeError(LOCAL.badAnswer, "a pairing code nobody asked for"));
      return;
    }
    const ours = await pairingCode(session, flow.nonce, frame.nonce);
    if (frame.code !== ours) {
      // Two screens that would show different codes: someone is in between.
      this.close(
        new BridgeError(LOCAL.codeMismatch, "the app's code is not the one computed here"),
      );
      return;
    }
    flow.code = ours;
  }

  private async pairedNow(frame: Frame): Promise<void> {
    const pairing = parsePairing(frame);
    if (!this.flow?.code || !pairing) {
      this.close(new BridgeError(LOCAL.badAnswer, "a pairing that was not asked for"));
      return;
    }
    this.pairing = pairing;
    this.flow = null;
    this.lastReason = undefined;
    await ext.storage.local.set({ [STORE_KEY]: pairing });
  }

  private async refused(frame: Frame): Promise<void> {
    const code = String(frame.code ?? LOCAL.badAnswer);
    if (this.flow) {
      this.flow = null;
      this.lastReason = code;
    }
    if (code === "unpaired" && this.pairing) {
      // The app no longer knows this pairing (removed in its Settings): pair again.
      this.pairing = null;
      this.lastReason = code;
      await ext.storage.local.remove(STORE_KEY);
    }
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(new BridgeError(code, String(frame.message ?? code)));
  }
}

function refusal(frame: Frame): BridgeError {
  if (frame.type === "error") {
    return new BridgeError(String(frame.code ?? LOCAL.badAnswer), String(frame.message ?? ""));
  }
  return new BridgeError(LOCAL.badAnswer, "the app did not open a session");
}

function validB64(s: string): boolean {
  try {
    fromBase64Url(s);
    return s.length > 0;
  } catch {
    return false;
  }
}

function parsePairing(v: unknown): Pairing | null {
  if (typeof v !== "object" || v === null) return null;
  const p = v as Frame;
  if (typeof p.pairingId !== "string" || typeof p.key !== "string") return null;
  if (!validB64(p.pairingId)) return null;
  try {
    if (fromBase64Url(p.key).length !== 32) return null;
  } catch {
    return null;
  }
  return { pairingId: p.pairingId, key: p.key };
}
