// @ts-check
import tseslint from "typescript-eslint";

export default tseslint.config(
  // test/fixtures holds published package files as they are: not ours to lint.
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "test/fixtures/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
