import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const tauriOnlyInBackend = {
  patterns: [
    {
      group: ["@tauri-apps/*"],
      message: "Only src/lib/backend/ may import @tauri-apps/*. Use the functions it exports.",
    },
  ],
};

export default tseslint.config(
  {
    ignores: ["dist", "e2e/.build", "test-results", "playwright-report", "node_modules"],
  },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "no-restricted-imports": ["error", tauriOnlyInBackend],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The backend adapter is the one place that talks to Tauri.
    files: ["src/lib/backend/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // The reader window has no IPC at all: nothing from Tauri, nothing from the backend adapter.
    files: ["src/reader/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...tauriOnlyInBackend.patterns,
            { group: ["**/lib/backend/**", "**/lib/backend"], message: "The reader has no IPC." },
          ],
        },
      ],
    },
  },
  {
    // Test tooling runs in Node or installs the IPC mock; it is never bundled into the app.
    files: ["e2e/**", "*.config.ts"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // Playwright fixtures call their callback `use`, which is not a React hook.
    rules: { "no-restricted-imports": "off", "react-hooks/rules-of-hooks": "off" },
  },
);
