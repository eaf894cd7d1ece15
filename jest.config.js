// @ts-check
/** Two projects: node (domain + integration against Local CloudBase) and miniprogram (jsdom + simulate). */
// isolatedModules comes from tsconfig.json, which makes ts-jest transpile only; `tsc --noEmit` checks types.
const tsJest = ['ts-jest', { diagnostics: false }]

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads testTimeout from the global config, not from a project's: without this line every
  // test had jest's 5 s default, too short for a loaded 2-core machine.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{domain,server,integration,e2e}/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/helpers/node-env.ts'],
      // Tests start Local CloudBase, function workers and Chromium; a loaded 2-core CI machine
      // needs more than jest's 5 s default for those hooks.
      testTimeout: 60_000,
      transform: { '^.+\\.tsx?$': tsJest },
      moduleFileExtensions: ['ts', 'js', 'json'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test/miniprogram'],
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleFileExtensions: ['ts', 'js', 'json'],
      setupFiles: ['<rootDir>/test/miniprogram/setup.ts'],
      testTimeout: 60_000,
    },
  ],
}
