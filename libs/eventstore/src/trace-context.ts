/**
 * The active OpenTelemetry trace context as W3C headers (`traceparent`, `tracestate`), stored with
 * appended events and carried in message headers. Empty when no SDK is registered (tracing off).
 */
import { context, propagation, type Context } from '@opentelemetry/api';

export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The trace context carried by message headers or stored event metadata. */
export function traceContextOf(carrier: Record<string, unknown> | undefined): Context {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(carrier ?? {})) if (typeof value === 'string') headers[name] = value;
  return propagation.extract(context.active(), headers);
}
