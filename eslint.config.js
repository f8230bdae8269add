import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.dist-check-*/**', '.ci/**', 'tmp/**', 'src/**/*.generated.js', 'node_modules/**', 'coverage/**', '__tests__/**/__snapshots__/**', '__tests__/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', fetch: 'readonly', AbortController: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The engine stays pure: no GitHub, Probot, Actions toolkit or AWS SDK in src/core.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*'], message: 'src/core must not depend on the AWS SDK; put AWS code in src/aws or a provider.' },
            { group: ['@octokit/*', 'probot', '@actions/*'], message: 'src/core must not depend on GitHub; put GitHub code in src/github or an adapter.' },
            { group: ['**/aws/*', '**/github/*', '**/providers/*', '**/action/*', '**/app/*', '**/cli/*', '**/sandbox/*'], message: 'src/core must not import adapters, providers or AWS/GitHub code.' },
          ],
        },
      ],
    },
  },
);
