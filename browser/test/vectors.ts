// The test vectors: ours (test/vectors.json, computed with Python's hmac/hashlib) and, when
// present, the app side's (crates/bridge/tests/vectors.json), so both sides check the same bytes.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface MacVector {
  key: string;
  session: string;
  direction: "req" | "res";
  seq: number;
  body: string;
  mac: string;
}

export interface CodeVector {
  session: string;
  extNonce: string;
  appNonce: string;
  code: string;
}

export interface Vectors {
  source: string;
  mac: MacVector[];
  pairing: CodeVector[];
}

function ours(): Vectors {
  const path = fileURLToPath(new URL("./vectors.json", import.meta.url));
  const v = JSON.parse(readFileSync(path, "utf8"));
  return {
    source: "browser/test/vectors.json",
    mac: v.mac.map((m: Omit<MacVector, "key" | "session">) => ({
      key: v.key,
      session: v.session,
      ...m,
    })),
    pairing: v.pairing,
  };
}

export function allVectors(): Vectors[] {
  const out = [ours()];
  const bridge = fileURLToPath(new URL("../../crates/bridge/tests/vectors.json", import.meta.url));
  if (existsSync(bridge)) out.push(bridgeVectors(JSON.parse(readFileSync(bridge, "utf8"))));
  return out;
}

/** The app side's file: `macs` share one key and session; `pairing` is one vector. */
function bridgeVectors(v: {
  key: string;
  session: string;
  macs: Omit<MacVector, "key" | "session">[];
  pairing: CodeVector;
}): Vectors {
  return {
    source: "crates/bridge/tests/vectors.json",
    mac: v.macs.map((m) => ({ key: v.key, session: v.session, ...m })),
    pairing: [v.pairing],
  };
}
