export * from './calendar';
export * from './clock';
export * from './policies';
export * from './calendars/calendars';
export * from './selection';
export * from './sla-document';
export * from './sla-kinds';
