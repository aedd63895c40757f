// Unit tests need no database; integration tests (*.int.test.ts) share one real Neo4j that
// globalSetup starts on a free port with a fresh temporary data folder.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests share one Neo4j (Community has one user database): run files one at a time.
  maxWorkers: 1,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/tests/integration/**/*.int.test.ts'],
      globalSetup: '<rootDir>/tests/global-setup.ts',
      globalTeardown: '<rootDir>/tests/global-teardown.ts',
      // Starting a JVM takes seconds on two cores: integration tests get generous time.
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/integration-setup.ts'],
    },
  ],
};
