/**
 * Operability over real Kafka and PostgreSQL, the four services in this process: one complaint is
 * one OpenTelemetry trace from intake's HTTP request to analytics' projection (spans kept by an
 * in-memory exporter), and /metrics parses as Prometheus text whose named series move as it flows.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { analyticsService } from '@complaints/analytics';
import { intakeService } from '@complaints/intake';
import { resolutionService } from '@complaints/resolution';
import { routingService } from '@complaints/routing';
import { requireEnv, uniqueSuffix } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { fileComplaint, historyWith } from '../support/journey';

jest.setTimeout(180_000);

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });

/** Every HTTP call of this suite goes through here (authentication adds its token in one place). */
async function call(url: string): Promise<Response> {
  return fetch(url);
}

interface MetricFamily {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }[];
}

async function scrape(base: string): Promise<Map<string, MetricFamily>> {
  const response = await call(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await response.text()) as MetricFamily[];
  return new Map(families.map((f) => [f.name, f]));
}

/** Sum of a family's samples (counters, gauges) or counts (histograms) whose labels include `where`. */
function total(families: Map<string, MetricFamily>, name: string, where: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(where).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

describe('operability: traces and metrics', () => {
  const services: InProcessService[] = [];
  let urls: { intake: string; routing: string; resolution: string; analytics: string };

  beforeAll(async () => {
    provider.register();
    const env = { KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), TOPIC_PREFIX: `obs-${uniqueSuffix()}.` };
    for (const definition of [intakeService, routingService, resolutionService, analyticsService]) {
      services.push(await startInProcess(definition, undefined, env));
    }
    const [intake, routing, resolution, analytics] = services.map((s) => s.base) as [string, string, string, string];
    urls = { intake, routing, resolution, analytics };
  });

  afterAll(async () => {
    for (const service of services.reverse()) await service.close();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('a complaint posted to intake is one trace through intake, routing, resolution and analytics', async () => {
    const before = await scrape(urls.intake);
    const { complaintId } = await fileComplaint(urls);
    await historyWith(urls, complaintId, 3);

    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'POST /complaints' && s.attributes['complaints.service'] === 'intake');
    expect(server).toBeDefined();
    const traceId = server!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const consumers = new Set(inTrace.map((s) => s.attributes['messaging.consumer.group.name']).filter(Boolean));
    const publishers = new Set(inTrace.map((s) => s.attributes['complaints.service']).filter(Boolean));
    expect([...publishers].sort()).toEqual(expect.arrayContaining(['intake', 'routing', 'resolution']));
    expect([...consumers].map((g) => String(g).split('.').pop()).sort()).toEqual(
      expect.arrayContaining(['routing', 'resolution', 'analytics']),
    );
    // Analytics projected this complaint's events inside the same trace.
    expect(
      inTrace.some(
        (s) =>
          s.name.startsWith('process ') &&
          String(s.attributes['messaging.consumer.group.name']).endsWith('analytics') &&
          s.attributes['complaints.case_id'] === complaintId,
      ),
    ).toBe(true);
    // No personal data on any span.
    const attributes = JSON.stringify(inTrace.map((s) => s.attributes));
    expect(attributes).not.toMatch(/王女士|139\d{8}|电表计量不准/);

    const after = await scrape(urls.intake);
    const posted = { service: 'intake', method: 'POST', route: '/complaints', status: '201' };
    expect(total(after, 'http_server_requests_total', posted)).toBe(
      total(before, 'http_server_requests_total', posted) + 1,
    );
    expect(after.get('http_server_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(total(after, 'complaints_events_appended_total')).toBeGreaterThan(
      total(before, 'complaints_events_appended_total'),
    );
    expect(total(after, 'complaints_events_published_total', { service: 'intake' })).toBeGreaterThan(
      total(before, 'complaints_events_published_total', { service: 'intake' }),
    );
    expect(total(after, 'complaints_events_consumed_total', { outcome: 'handled' })).toBeGreaterThan(
      total(before, 'complaints_events_consumed_total', { outcome: 'handled' }),
    );
    expect(after.get('complaints_outbox_backlog')?.metrics.map((m) => m.labels?.service)).toEqual(
      expect.arrayContaining(['intake', 'routing', 'resolution']),
    );
    expect(after.has('complaints_outbox_oldest_unpublished_age_seconds')).toBe(true);
    expect(total(after, 'complaints_consumer_lag', { service: 'analytics' })).toBe(0);
    expect(after.get('complaints_consumer_lag')?.metrics.length).toBeGreaterThan(0);
    expect(after.get('complaints_projection_lag_seconds')?.metrics.length).toBeGreaterThan(0);
    expect(total(after, 'complaints_sla_clocks', { state: 'running' })).toBeGreaterThan(0);
    expect(after.has('complaints_dead_letters_total')).toBe(true);
    expect(after.has('complaints_escalations')).toBe(true);
  });
});
