/**
 * Three projects, run in the order CI wants them: unit (pure, no I/O), integration (real
 * PostgreSQL and Kafka), end to end (the services as processes). Infrastructure comes from
 * DATABASE_URL / KAFKA_BROKERS or is started by test/support/global-setup.ts.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const ESM_PACKAGES = ['file-type', 'strtok3', 'token-types', 'uint8array-extras', '@tokenizer', '@borewit'];
const ESM_ONLY = `/node_modules/(${ESM_PACKAGES.join('|')})/`;

const shared = {
  // file-type (attachment sniffing) and its dependencies ship as ES modules only: compiled to CommonJS for jest.
  transform: { '^.+\\.ts$': swc, [`${ESM_ONLY}.+\\.js$`]: swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@complaints/(contracts|decider|eventstore|messaging|kit|sla|privacy|client|policy|routing-data)$':
      '<rootDir>/libs/$1/src',
    '^@complaints/(intake|routing|resolution|analytics)$': '<rootDir>/services/$1/src',
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-logs.js'],
};

module.exports = {
  // A guard against hangs, not a speed check: tests that start services and databases on a busy
  // 2-core machine can take longer than jest's 5 s default without anything being wrong.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,apps}/*/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/', '/dist/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,apps}/*/src/**/*.int.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      slowTestThreshold: 30,
    },
    {
      // The hostile-insider suite (docs/security.md): another tenant's admin, a channel adapter, a
      // database writer, someone holding a copy of the data directory — each attack as a test.
      ...shared,
      displayName: 'insider',
      testMatch: ['<rootDir>/test/insider/**/*.insider.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      slowTestThreshold: 60,
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      slowTestThreshold: 60,
    },
  ],
};
