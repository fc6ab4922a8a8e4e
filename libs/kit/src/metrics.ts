/**
 * Prometheus metrics of a service (prom-client's default registry, served at GET /metrics):
 * HTTP rate, latency and errors per route; and gauges read when Prometheus scrapes — outbox
 * backlog, consumer lag, SLA clocks — from sources each part of the service registers.
 * The embedded host runs four services in one process: they share the registry, and every
 * series names its service.
 */
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from './auth/decorators';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { processMetric } from '@complaints/eventstore';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

export interface Sample {
  labels: Record<string, string | number>;
  value: number;
}
/** Reads the current values of one gauge; a source that fails is left out of that scrape. */
export type SampleSource = () => Promise<Sample[]>;

const sources = new Map<string, Set<SampleSource>>();

/** Registers a source of a scrape-time gauge; returns the function that unregisters it. */
export function observeOnScrape(name: string, help: string, labelNames: string[], source: SampleSource): () => void {
  processMetric(
    name,
    () =>
      new Gauge({
        name,
        help,
        labelNames,
        async collect() {
          this.reset();
          const results = await Promise.allSettled([...(sources.get(name) ?? [])].map((read) => read()));
          for (const result of results) {
            if (result.status === 'fulfilled') for (const s of result.value) this.set(s.labels, s.value);
          }
        },
      }),
  );
  const set = sources.get(name) ?? new Set<SampleSource>();
  sources.set(name, set);
  set.add(source);
  return () => set.delete(source);
}

let processMetrics = false;
const httpRequests = processMetric(
  'http_server_requests_total',
  (name) =>
    new Counter({
      name,
      help: 'HTTP requests by service, method, route template and status code (errors: status >= 500)',
      labelNames: ['service', 'method', 'route', 'status'],
    }),
);
const httpDuration = processMetric(
  'http_server_request_duration_seconds',
  (name) =>
    new Histogram({
      name,
      help: 'HTTP request latency by service, method, route template and status code',
      labelNames: ['service', 'method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

/** Express middleware timing every request under its route template (`/cases/:id`), never the raw path. */
export function httpMetrics(service: string) {
  if (!processMetrics) {
    processMetrics = true;
    collectDefaultMetrics();
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = httpDuration.startTimer({ service, method: req.method });
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const labels = { route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) };
      stop(labels);
      httpRequests.inc({ service, method: req.method, ...labels });
    });
    next();
  };
}

/** Public, like health: scraped by Prometheus without a token (keep it off the public ingress). */
@Public()
@SkipThrottle()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  async scrape(): Promise<string> {
    return register.metrics();
  }
}
