import { defineConfig } from "vitest/config";

// Node's WebCrypto is the same API the extension uses in the browser (crypto.subtle).
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], environment: "node" },
});
