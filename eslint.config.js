// ESLint (flat config): typescript-eslint's and eslint-plugin-svelte's recommended rules, plus the few
// house rules below. Formatting is Prettier's job (.prettierrc.json); layer rules are dependency-cruiser's
// (.dependency-cruiser.cjs). Run with `npm run lint`; `npm test` runs it in its `static` stage.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const SVELTE_FILES = ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'];

/** Browser globals that core must not touch outside storage/, sql/ and sandbox/ (DESIGN.md: core is platform-neutral). */
const BROWSER_ONLY_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'indexedDB', 'caches'].map((name) => ({
  name,
  message: 'core runs in a worker and in Node: platform APIs belong in src/core/storage/ (or sql/, sandbox/).',
}));

export default defineConfig(
  {
    ignores: [
      'dist/',
      'dist-cli/',
      'public/ponds/',
      'node_modules/',
      'test/e2e/screenshots/',
      'test/browser/__screenshots__/',
      'test-results/',
      'bench/results/',
      '.vite/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  // eslint-plugin-svelte's rules are for components and rune modules; outside them they only cost time
  // (and svelte/no-inner-declarations crashes on CommonJS files under ESLint 10).
  svelte.configs.recommended.map((config) => (config.rules && !config.files ? { ...config, files: SVELTE_FILES } : config)),
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `_`-prefixed names are deliberately unused (placeholders in destructuring and callbacks).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // With verbatimModuleSyntax, `import { type A }` still loads the module at runtime; `import type { A }` does not.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // A cursor that walks down a tree from `this` (`let here = this; here = here.child`) is not an alias.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['here'] }],
    },
  },
  {
    files: SVELTE_FILES,
    rules: {
      // The state classes keep collections in `$state.raw` and replace them on change (new Map per
      // update), and parse URLs and dates in temporaries; SvelteMap & co. would add reactivity nobody
      // reads. All 14 reports on the tree were of that kind.
      'svelte/prefer-svelte-reactivity': 'off',
      // `{' '}` and `{': '}` keep whitespace next to `{#if}`/`{/if}`, where Svelte would trim a literal
      // space: all 3 reports on the tree were that idiom.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: SVELTE_FILES,
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  // Where each kind of code runs decides which globals exist (TypeScript checks .ts files itself; this matters for .js/.mjs/.svelte).
  {
    files: ['src/ui/**', 'src/*.ts', 'workers/**', 'test/browser/**', 'bench/browser/**', 'bench/lib/browser/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['scripts/**', 'bin/**', 'src/cli/**', 'bench/**', 'test/unit/**', 'test/e2e/**', '*.config.{js,ts,cjs,mjs}', '.dependency-cruiser.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  // e2e tests and the bench driver hand callbacks to page.evaluate(): that code runs in the page.
  { files: ['test/e2e/**', 'bench/lib/browser-driver.mjs'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['src/core/**'],
    ignores: ['src/core/storage/**', 'src/core/sql/**', 'src/core/sandbox/**'],
    rules: { 'no-restricted-globals': ['error', ...BROWSER_ONLY_GLOBALS] },
  },
);
