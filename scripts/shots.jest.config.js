// @ts-check
/** `npm run shots`, step 1: the page renderer runs in the page-test environment (jsdom + simulate). */
const path = require('node:path')

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/test/miniprogram/shots'],
  testMatch: ['<rootDir>/test/miniprogram/shots/*.shots.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/miniprogram/setup.ts'],
  testTimeout: 600_000,
}
