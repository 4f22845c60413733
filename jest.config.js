// Jest runs the TypeScript specs of the front end with ts-jest, type-checking them. The @jupyterlab,
// @lumino and other packages ship ES modules, which jest's CommonJS runtime cannot load: they are
// transpiled too (without type checks), like @jupyterlab/testutils' jest config does.
const esModules = [
  '@codemirror',
  '@jupyter',
  '@jupyterlab',
  '@lumino',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'yjs'
].join('|');

const compilerOptions = {
  esModuleInterop: true,
  module: 'commonjs',
  target: 'ES2018',
  lib: ['DOM', 'DOM.Iterable', 'ES2018'],
  strict: true,
  skipLibCheck: true
};

/** @type {import('jest').Config} */
module.exports = {
  // Component specs choose jsdom with a `@jest-environment jsdom` docblock; the shim fills what jsdom lacks.
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/labextension/src/__tests__/jsdom-shim.ts'],
  roots: ['<rootDir>/labextension/src'],
  testRegex: 'labextension/src/(.*/)?__tests__/[^/]*\\.spec\\.ts$',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: compilerOptions }],
    '^.+\\.jsx?$': [
      'ts-jest',
      { tsconfig: { ...compilerOptions, allowJs: true, isolatedModules: true } }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules})/)`],
  // JupyterLab's packages import their icons and stylesheets; the component specs need neither.
  moduleNameMapper: { '\\.(svg|css)$': '<rootDir>/labextension/src/__tests__/svg-mock.ts' },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json', 'node']
};
