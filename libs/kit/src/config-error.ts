/** A configuration value is missing or malformed: the process says which and stops. */
export class ConfigError extends Error {}
