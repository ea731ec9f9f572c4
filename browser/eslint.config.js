import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules"] },
  {
    files: ["**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.browser, ...globals.webextensions },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Money is a decimal string end to end: Number() or parseFloat() on it would round.
      "no-restricted-globals": ["error", "parseFloat"],
      "no-restricted-properties": [
        "error",
        { object: "Number", property: "parseFloat", message: "Money stays a string." },
      ],
    },
  },
  {
    files: ["test/**", "*.config.ts", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
);
