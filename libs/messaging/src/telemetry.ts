/**
 * What the bus tells operators: Prometheus series for publishing, consuming and dead-lettering, and
 * OpenTelemetry spans whose context travels in the message headers (W3C `traceparent`), so one
 * complaint is one trace across the services. With no OpenTelemetry SDK registered every span is a
 * no-op and no header is added, so tracing costs nothing when it is off.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { processMetric } from '@complaints/eventstore';
import { Counter, Gauge, Histogram } from 'prom-client';

const tracer = trace.getTracer('@complaints/messaging');

const counter = (name: string, help: string, labelNames: string[]) =>
  processMetric(name, () => new Counter({ name, help, labelNames }));

export const busMetrics = {
  published: counter('complaints_events_published_total', 'Integration events published by the outbox relay', [
    'service',
    'topic',
  ]),
  consumed: counter(
    'complaints_events_consumed_total',
    'Integration events a consumer finished with: handled, duplicate (already in the inbox) or dead_lettered',
    ['group', 'topic', 'outcome'],
  ),
  deadLettered: counter(
    'complaints_dead_letters_total',
    'Messages sent to a dead-letter topic: contract (failed its schema) or handler (kept failing)',
    ['group', 'topic', 'reason'],
  ),
  projectionLag: processMetric(
    'complaints_projection_lag_seconds',
    (name) =>
      new Gauge({
        name,
        help: 'Seconds from publication to the end of handling, of the last message a consumer group handled',
        labelNames: ['group', 'topic'],
      }),
  ),
  handlingSeconds: processMetric(
    'complaints_event_handling_seconds',
    (name) =>
      new Histogram({
        name,
        help: 'Time a consumer took to handle one event or one batch, retries included',
        labelNames: ['group', 'topic'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
  ),
};

export interface SpanOptions {
  kind: SpanKind;
  parent: Context;
  attributes: Record<string, string | number>;
}

export function startSpan(name: string, options: SpanOptions): Span {
  return tracer.startSpan(name, { kind: options.kind, attributes: options.attributes }, options.parent);
}

/** Runs `work` with `span` as the active span (what it stores or sends continues that trace). */
export function withSpan<T>(parent: Context, span: Span, work: () => Promise<T>): Promise<T> {
  return context.with(trace.setSpan(parent, span), work);
}

/** Runs `work` in a span (ended, with its error recorded, when `work` settles). */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await withSpan(options.parent, span, () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind, type Span };
export { traceContextOf, traceHeaders } from '@complaints/eventstore';
