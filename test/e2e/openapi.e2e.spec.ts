/**
 * The four OpenAPI documents as the services serve them, linted by the real redocly CLI with the
 * committed ruleset (redocly.yaml): standard tools (generators, gateways, linters) must read them
 * without errors. The documents are left in reports/openapi/ for inspection.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceDefinition } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { routingService } from '@complaints/routing';
import { resolutionService } from '@complaints/resolution';
import { analyticsService } from '@complaints/analytics';
import { startInProcess, type InProcessService } from '../support/in-process';

const ROOT = join(__dirname, '..', '..');
const REPORTS = join(ROOT, 'reports', 'openapi');
const SERVICES: ServiceDefinition[] = [intakeService, routingService, resolutionService, analyticsService];

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: object } };

const documents = new Map<string, Document>();

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer?: string }[];
}

/** The real CLI, as CI and developers run it: `redocly lint --format json` on one document. */
async function redoclyLint(file: string): Promise<LintProblem[]> {
  const cli = require.resolve('@redocly/cli/bin/cli.js');
  const args = [cli, 'lint', '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', file];
  // It exits 1 when it finds errors; the report on stdout says which.
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return (JSON.parse(stdout) as { problems: LintProblem[] }).problems.map((p) => ({
    ...p,
    message: `${file}: ${p.message}`,
  }));
}

beforeAll(async () => {
  await mkdir(REPORTS, { recursive: true });
  for (const definition of SERVICES) {
    let service: InProcessService | undefined;
    try {
      // TEST_CLOCK documents PUT /test/clock too (as the e2e and bench hosts run it).
      service = await startInProcess(definition, undefined, { TEST_CLOCK: 'enabled' });
      const response = await fetch(`${service.base}/docs-json`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as Document;
      documents.set(definition.name, document);
      await writeFile(join(REPORTS, `${definition.name}.json`), JSON.stringify(document, null, 2));
    } finally {
      await service?.close();
    }
  }
}, 240_000);

const operations = () =>
  [...documents.entries()].flatMap(([service, document]) =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        name: `${service} ${method.toUpperCase()} ${path}`,
        path,
        operation,
      })),
    ),
  );

describe('the OpenAPI documents', () => {
  it('pass `redocly lint` with the committed ruleset, without errors', async () => {
    const problems: LintProblem[] = [];
    for (const { name } of SERVICES) problems.push(...(await redoclyLint(join(REPORTS, `${name}.json`))));
    await writeFile(join(REPORTS, 'lint.json'), JSON.stringify(problems, null, 2));
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('give every operation a summary, a description and a typed 2xx answer', () => {
    // A JSON answer's schema names its fields: a free-form object would leave generated clients `unknown`.
    const typedSchema = (media: string, schema: unknown) => {
      if (schema === undefined) return false;
      if (!media.includes('json')) return true;
      const { $ref, type, properties, items } = schema as Record<string, unknown>;
      return (
        $ref !== undefined ||
        properties !== undefined ||
        items !== undefined ||
        (type !== undefined && type !== 'object')
      );
    };
    const missing = operations().flatMap(({ name, operation }) => {
      const success = Object.entries(operation.responses).filter(([status]) => /^2/.test(status));
      const typed = success.some(
        ([status, response]) =>
          status === '204' ||
          (Object.keys(response.content ?? {}).length > 0 &&
            Object.entries(response.content ?? {}).every(([media, { schema }]) => typedSchema(media, schema))),
      );
      return [
        ...(operation.summary ? [] : [`${name}: no summary`]),
        ...(operation.description ? [] : [`${name}: no description`]),
        ...(typed ? [] : [`${name}: no schema for its 2xx answer`]),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('document the problem+json answers of every authenticated operation, and no security on health', () => {
    const wrong = operations().flatMap(({ name, path, operation }) => {
      if (path.startsWith('/health')) return operation.security?.length === 0 ? [] : [`${name}: requires credentials`];
      const problems = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status));
      const untyped = problems.filter(([, r]) => !r.content?.['application/problem+json']?.schema);
      return [
        ...(problems.some(([status]) => status === '401') ? [] : [`${name}: no 401`]),
        ...untyped.map(([status]) => `${name}: ${status} is not application/problem+json`),
      ];
    });
    expect(wrong).toEqual([]);
  });

  it('describe the bodies of the email and form channels and of the test clock', () => {
    const intake = documents.get('intake')!;
    const bodies = (path: string, method: string) =>
      Object.keys((intake.paths[path]?.[method]?.requestBody as { content?: object } | undefined)?.content ?? {});
    expect(bodies('/channels/email', 'post')).toEqual(['message/rfc822']);
    expect(bodies('/channels/form', 'post')).toEqual(['multipart/form-data']);
    expect(bodies('/test/clock', 'put')).toEqual(['application/json']);
  });
});
