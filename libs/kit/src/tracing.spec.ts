import { traceHeaders } from '@complaints/eventstore';
import { tracingRequested } from './tracing';

describe('tracing is configured by the standard OTEL_* variables', () => {
  it('is off when nothing asks for it', () => {
    expect(tracingRequested({})).toBe(false);
  });

  it('is on for an exporter or an OTLP endpoint', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });

  it('stays off for exporter none and when the SDK is disabled', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('adds no trace headers (nothing stored with events, nothing on messages) while off', () => {
    expect(traceHeaders()).toEqual({});
  });
});
