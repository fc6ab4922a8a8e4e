export * from './transport';
export * from './kafka-transport';
export * from './postgres-transport';
export * from './consumer';
export * from './relay';
export * from './telemetry';
export * from './evidence';
export * from './dead-letter-headers';
