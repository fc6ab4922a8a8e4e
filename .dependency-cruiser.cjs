/**
 * Layer rules. The domain is pure; services talk to each other only through events; libraries
 * never depend on services.
 */
/** A service's folders that are not use cases: everything else under src/ is one use case. */
const SHARED_LAYERS = '(domain|infrastructure|read-models)/';
const infrastructure = '(^|/)node_modules/(@nestjs|typeorm|kafkajs|pg|class-validator|class-transformer|express)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds decide/evolve and policies: no Nest, TypeORM, kafkajs, pg or class-validator.',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: infrastructure },
    },
    {
      name: 'domain-depends-on-domain-only',
      comment: 'domain/ may use the pure decider lib and its own folder, nothing else of the platform.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: { path: '^(libs/(kit|eventstore|messaging)|services/[^/]+/src/(?!domain/))' },
    },
    {
      name: 'policy-core-is-pure',
      comment:
        'libs/policy/src/policy.ts (kinds, versions, versionAt) is pure: the store, bus and cache are its edges.',
      severity: 'error',
      from: { path: '^libs/policy/src/policy\\.ts$' },
      to: { path: `${infrastructure}|^libs/(kit|eventstore|messaging)/|^libs/policy/src/(?!policy\\.ts$)` },
    },
    {
      name: 'services-share-only-events',
      comment: 'A service never imports another service: they share events over the bus.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'use-case-does-not-import-use-case',
      comment:
        'A use case folder (controller, DTO, handler together) stands alone: what two use cases share lives in domain/, infrastructure/ or read-models/.',
      severity: 'error',
      from: { path: `^services/([^/]+)/src/(?!${SHARED_LAYERS})([^/]+)/` },
      to: { path: `^services/$1/src/(?!${SHARED_LAYERS})[^/]+/`, pathNot: '^services/$1/src/$2/' },
    },
    {
      name: 'infrastructure-does-not-import-use-case',
      comment: 'infrastructure/ serves the use cases; it never reaches into one.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/infrastructure/' },
      to: { path: `^services/$1/src/(?!${SHARED_LAYERS})[^/]+/` },
    },
    {
      name: 'libs-do-not-depend-on-services',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(services|apps)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
  },
};
