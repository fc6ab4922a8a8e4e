/**
 * A Prometheus metric registered once per process in prom-client's default registry, whichever
 * module asks first: the embedded host runs four services in one process, and a second
 * registration of a name would throw.
 */
import { register, type Metric } from 'prom-client';

export function processMetric<M extends Metric>(name: string, create: (name: string) => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create(name);
}
