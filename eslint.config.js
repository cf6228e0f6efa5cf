// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Modules `src/` may import only as types: their values come through one module each. */
const loadedOnlyThrough = [
  ...["http", "fs", "util", "crypto"].flatMap((name) =>
    [name, `node:${name}`].map((path) => ({
      name: path,
      allowTypeImports: true,
      message: `Use \`${name}\` from src/util/builtins.ts: an ES import of it loads its lazy exports.`,
    })),
  ),
  {
    name: "undici",
    allowTypeImports: true,
    message:
      "Use src/mosapi/undici.ts: undici's index loads fetch, WebSocket and Node's own undici.",
  },
];

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "node_modules/", "test/artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  {
    // What the exporter loads: see src/util/builtins.ts and src/mosapi/undici.ts for the
    // megabytes these imports cost. Type imports are free.
    files: ["src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { paths: loadedOnlyThrough }],
    },
  },
  {
    // One import path for the logger as well: pino stays behind src/log/logger.ts.
    files: ["src/**/*.ts"],
    ignores: ["src/log/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            ...loadedOnlyThrough,
            { name: "pino", message: "Import Logger from src/log/logger.ts." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "bench/**/*.js"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-console": "off",
    },
  },
  prettier,
);
