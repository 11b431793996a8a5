// Lint rules, including the layer rules of docs/ARCHITECTURE.md: the core and the contract never
// import electron, the renderer never imports the main process, the contract imports neither side.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronPatterns = [
  {
    group: ['electron', 'electron/*'],
    message: 'Only src-main/electron may use electron: the core also runs in plain Node.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      '.tsbuild/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use a union of string literals instead of an enum.',
        },
      ],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...electronPatterns,
            { group: ['node:*'], message: 'src-shared runs on both sides: no Node modules.' },
            {
              group: ['**/src-main/**', '**/src-renderer/**', 'react', 'react-dom'],
              message: 'src-shared imports neither side.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/browser/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...electronPatterns,
            {
              group: ['**/electron/**'],
              message: 'The core may not depend on the Electron shell.',
            },
            {
              group: ['**/src-renderer/**', 'react', 'react-dom'],
              message: 'The main process may not import the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...electronPatterns,
            {
              group: ['**/src-main/**', 'node:*'],
              message:
                'The renderer talks to the main process only through the bridge (src-renderer/src/bridge).',
            },
          ],
        },
      ],
    },
  },
);
