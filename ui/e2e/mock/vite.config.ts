import { resolve } from "node:path";
import { defineConfig } from "vite";

// Bundles the IPC mock into one classic script for Playwright's addInitScript.
export default defineConfig({
  logLevel: "warn",
  build: {
    outDir: resolve(import.meta.dirname, "../.build"),
    emptyOutDir: true,
    minify: false,
    lib: {
      entry: resolve(import.meta.dirname, "install.ts"),
      formats: ["iife"],
      name: "CentimeMock",
      fileName: () => "mock.js",
    },
  },
});
