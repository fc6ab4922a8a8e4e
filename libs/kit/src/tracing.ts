/**
 * OpenTelemetry tracing, off by default. It starts when the standard variables ask for it:
 * OTEL_TRACES_EXPORTER (otlp, console, zipkin…; `none` keeps it off) or an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true wins.
 * The SDK (@opentelemetry/sdk-node) reads the rest: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_HEADERS… W3C trace context crosses HTTP (this module's
 * middleware) and the bus (message headers, see libs/messaging/src/telemetry.ts).
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { NextFunction, Request, Response } from 'express';

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let sdk: NodeSDK | undefined;

/** Starts the SDK once per process when the environment asks for tracing. */
export function startTracing(serviceName: string): void {
  if (sdk || !tracingRequested()) return;
  // Loaded only when tracing is on: the SDK and its exporters weigh ~27 MB of a service's memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  sdk = new Sdk({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName, instrumentations: [] });
  sdk.start();
}

/** Flushes and stops the SDK (a stopping process sends the spans it still holds). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}

const tracer = trace.getTracer('@complaints/kit');

/**
 * A server span per request, continuing the caller's `traceparent`, active while the request is
 * handled (so the events it appends carry it). Named by route template; no body, no query string.
 */
export function httpTracing(service: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'complaints.service': service, 'http.request.method': req.method } },
      parent,
    );
    if (!span.isRecording()) {
      next();
      return;
    }
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      if (route) {
        span.updateName(`${req.method} ${req.baseUrl}${route}`);
        span.setAttribute('http.route', `${req.baseUrl}${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
