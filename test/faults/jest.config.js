/**
 * The fault suite (`npm run test:faults`): its own jest configuration, so `npm test` never runs it.
 * It starts a private Kafka broker and PostgreSQL cluster itself (see infrastructure.ts) and
 * breaks them on purpose; one file, scenarios in order, on one platform.
 */
const base = require('../../jest.config.js');
const shared = base.projects[0];

module.exports = {
  rootDir: '../..',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  transform: shared.transform,
  moduleFileExtensions: shared.moduleFileExtensions,
  moduleNameMapper: shared.moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-logs.js'],
  // `npm run test:soak` (FAULTS_SOAK=1) runs the soak instead of the fault scenarios.
  testMatch: [
    process.env.FAULTS_SOAK ? '<rootDir>/test/faults/**/*.soak.spec.ts' : '<rootDir>/test/faults/**/*.faults.spec.ts',
  ],
  // A guard against hangs: each scenario sets its own, longer limit.
  testTimeout: 300_000,
  slowTestThreshold: 300,
};
