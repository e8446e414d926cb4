// Type-aware typescript-eslint with the process-boundary zones of STYLE.md §1:
//  - shared/** imports neither electron nor node nor react (nor native modules);
//  - renderer/** imports neither electron nor node;
//  - electron/core/** imports no electron.
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'tls',
  'child_process',
  'worker_threads',
  'stream',
  'url',
  'util',
  'zlib',
  'events',
  'buffer'
]

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'test-results/**',
      'reports/**',
      'docs/**',
      'resources/**',
      'bin/**',
      'scripts/**/*.mjs',
      'eslint.config.mjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      curly: ['error', 'multi-line'],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='rejectUnauthorized'][value.value=false]",
          message: 'Never disable TLS verification (RELIABILITY T1).'
        }
      ]
    }
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'shared/ is pure TS: no electron.' },
            { group: NODE_BUILTINS, message: 'shared/ is pure TS: no node.' },
            { group: ['react', 'react-dom', 'react/*'], message: 'shared/ is pure TS: no react.' },
            { group: ['better-sqlite3', 'keytar'], message: 'shared/ is pure TS: no native modules.' }
          ]
        }
      ]
    }
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'The renderer talks to main only through window.api.' },
            { group: NODE_BUILTINS, message: 'The renderer has no Node.' },
            { group: ['**/electron/**'], message: 'The renderer may import only shared/ and its own code.' },
            { group: ['better-sqlite3', 'keytar'], message: 'No native modules in the renderer.' }
          ]
        }
      ]
    }
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['electron', 'electron/*'], message: 'The core runs under plain Node: no electron.' }]
        }
      ]
    }
  },
  {
    files: ['electron/core/**/*.ts'],
    ignores: ['electron/core/secrets/keytar-secret-store.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'The core runs under plain Node: no electron.' },
            { group: ['keytar'], message: 'Only electron/core/secrets/keytar-secret-store.ts imports keytar.' }
          ]
        }
      ]
    }
  },
  {
    files: ['test/**/*.ts', 'electron/cli/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off'
    }
  }
)
