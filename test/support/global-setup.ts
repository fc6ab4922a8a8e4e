import { ensureInfrastructure } from './infrastructure';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_INFRASTRUCTURE_READY === '1') return;
  await ensureInfrastructure();
  process.env.TEST_INFRASTRUCTURE_READY = '1';
}
