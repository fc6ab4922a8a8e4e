#!/usr/bin/env node
/**
 * npm run pii -- rotate     rotate the master key now (KeyVault.rotate): a new master key wraps every
 *                           live data key, then the old one is destroyed. Exit 1 when another instance
 *                           is rotating (try again) or it fails (the old key is kept).
 * Connects with PII_VAULT_URL (else DATABASE_URL); the ring is PII_KEY_DIR (PII_MASTER_KEY seeds it).
 */
import { KeyVault, openKeyRing } from '@complaints/privacy';
import { ConfigError, piiKeys } from './config';

async function main(): Promise<number> {
  const [command] = process.argv.slice(2);
  const url = process.env.PII_VAULT_URL || process.env.DATABASE_URL;
  if (command !== 'rotate' || !url) {
    console.error('Usage: PII_KEY_DIR=… DATABASE_URL=… npm run pii -- rotate');
    return 2;
  }
  const vault = await KeyVault.open({ url, keyRing: openKeyRing(piiKeys(process.env)), applicationName: 'pii-cli' });
  try {
    const rotation = await vault.rotate();
    if (!rotation) {
      console.error('Another instance is rotating the master key now: nothing done, try again');
      return 1;
    }
    console.log(
      `master key ${rotation.masterKeyId} now wraps every live data key (${rotation.rewrapped} re-wrapped); destroyed: ${rotation.destroyed.join(', ') || 'none'}`,
    );
    return 0;
  } finally {
    await vault.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
