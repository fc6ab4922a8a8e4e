/**
 * The checkpoints' signing key of every service the tests start: a production start refuses to run
 * without one, and tests should sign as production does. One key per test process.
 */
import { generateKeyPairSync } from 'node:crypto';

export const testAuditEnv: Record<string, string> = {
  AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
};
