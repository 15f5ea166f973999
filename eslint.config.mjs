// ESLint flat config: the Nest starter's set (typescript-eslint, type-aware) as the base,
// Prettier for formatting (eslint-config-prettier turns off the rules it owns), and the
// module boundaries of the monolith.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'artifacts/**',
      // Compiled by its own tsconfig in the generated-client test, once its types are generated.
      'test/client/**',
      'bench/**',
      '*.config.js',
      '*.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      sourceType: 'commonjs',
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-floating-promises': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Migrations implement MikroORM's async up()/down() with synchronous addSql calls.
    files: ['libs/database/src/migrations/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Libraries reach each other only through their @app/<lib> index, and never the app.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '../../*/src/**'],
              message: 'Import another lib through its @app/<lib> index.',
            },
            { group: ['**/apps/**'], message: 'Libraries do not import the app.' },
          ],
        },
      ],
    },
  },
);
