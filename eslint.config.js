// `npm run lint` (with prettier --check): typescript-eslint's recommended rules, and the
// layering of src/ (docs/design.md): each layer imports only from the layers before it in
// LAYERS, and nothing imports in a cycle.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** src/ folders, lowest first: the engine (util .. node), then the harness on top of it. */
const LAYERS = ['util', 'native', 'id', 'distance', 'routing', 'protocol', 'clock', 'net', 'node', 'telemetry', 'gateway', 'stress', 'cli'];

const layerZones = LAYERS.map((layer, i) => ({
  target: `./src/${layer}`,
  from: LAYERS.slice(i + 1).map((above) => `./src/${above}`),
  message: `src/${layer} sits below ${LAYERS.slice(i + 1).join(', ')}: it may not import from them (docs/design.md, Layers).`,
})).filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['static/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['scripts/**/*.mjs', 'eslint.config.js'], languageOptions: { globals: globals.node } },
  prettier,
);
