/**
 * Configuration of one service process, from the environment. Every knob is listed in README.md.
 */
export const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  intake: 3001,
  routing: 3002,
  resolution: 3003,
  analytics: 3004,
};

export interface ServiceConfig {
  service: ServiceName;
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL schema holding this service's tables. */
  schema: string;
  /** Kafka bootstrap servers; none means the embedded PostgreSQL transport. */
  kafkaBrokers: string[];
  topicPrefix: string;
  partitions: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  return value;
}

export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/complaints); `npm start` runs everything embedded without it',
    );
  }
  const upper = service.toUpperCase();
  return {
    service,
    port: integer(env, `${upper}_PORT`, integer(env, 'PORT', DEFAULT_PORTS[service])),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    schema: env[`${upper}_DB_SCHEMA`] ?? service,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    topicPrefix: env.TOPIC_PREFIX ?? '',
    partitions: integer(env, 'KAFKA_PARTITIONS', 6),
  };
}
