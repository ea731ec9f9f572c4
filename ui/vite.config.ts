import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The same policy the Tauri shell sets; `vite preview` serves it so the browser tests
// fail on anything that would break under the app's CSP (inline scripts or styles, eval).
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ipc: http://ipc.localhost",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "form-action 'none'",
].join("; ");

export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { host: "127.0.0.1", port: 1420, strictPort: true },
  preview: { host: "127.0.0.1", headers: { "Content-Security-Policy": CSP } },
  build: {
    target: "es2022",
    sourcemap: false,
    // No inline assets: everything is a file under 'self'.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        reader: resolve(import.meta.dirname, "reader.html"),
      },
    },
  },
});
