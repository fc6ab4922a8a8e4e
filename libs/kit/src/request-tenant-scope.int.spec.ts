/**
 * The chain that confines each request to its tenant, through a real HTTP service: the edge opens a
 * scope, the guard binds the verified token's tenant, and the database runs the request's SQL as the
 * tenant role under row-level security. Public endpoints (health, metrics) stay unbound.
 */
import { Controller, Get, Inject, type INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Database } from '@complaints/eventstore';
import { TENANT_ROLE } from '@complaints/eventstore';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { as, testAuthEnv } from '../../../test/support/auth';
import { freePort } from '../../../test/support/processes';
import { startService } from './bootstrap';
import { loadServiceConfig } from './config';
import { PlatformModule } from './platform.module';
import { CAN } from './auth/roles';
import { Public, Roles } from './auth/decorators';
import { DATABASE } from './tokens';

const PROBE = "SELECT current_user AS role, coalesce(current_setting('app.tenant', true), '') AS tenant";

@Controller('probe')
class ProbeController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Roles(...CAN.audit)
  @Get()
  async scoped() {
    const [probe] = (await this.db.query<{ role: string; tenant: string }>(PROBE)).rows;
    const notes = await this.db.query<{ tenant: string }>('SELECT tenant FROM notes ORDER BY tenant');
    return { ...probe, notes: notes.rows.map((r) => r.tenant) };
  }

  @Public()
  @Get('public')
  async unbound() {
    return (await this.db.query(PROBE)).rows[0];
  }
}

describe('a request runs confined to the tenant of its token', () => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    testDb = await createTestDatabase('requestscope');
    const port = freePort();
    const config = loadServiceConfig('analytics', {
      ...testAuthEnv,
      DATABASE_URL: testDb.url,
      PORT: String(port),
      PII_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    const platform = PlatformModule.forRoot({
      config,
      migrations: [
        {
          name: 'Notes1763800090000',
          up: `CREATE TABLE notes (tenant text NOT NULL);
               INSERT INTO notes VALUES ('red'), ('blue'), ('blue');
               ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
               CREATE POLICY tenant_isolation ON notes USING (tenant = current_setting('app.tenant', true));`,
        },
      ],
    });
    app = await startService(
      { module: class ProbeModule {}, imports: [platform], controllers: [ProbeController] },
      config,
      {
        title: 'probe',
        shutdownHooks: false,
      },
    );
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  it.each(['red', 'blue'])("runs %s's request as the tenant role and shows it only its rows", async (tenant) => {
    const response = await fetch(`${url}/probe`, { headers: await as({ role: 'auditor', tenant }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      role: TENANT_ROLE,
      tenant,
      notes: tenant === 'red' ? ['red'] : ['blue', 'blue'],
    });
  });

  it('leaves a public endpoint unbound (it runs as the service, for no tenant)', async () => {
    const response = await fetch(`${url}/probe/public`);
    expect(await response.json()).toEqual({ role: expect.not.stringMatching(TENANT_ROLE), tenant: '' });
  });
});
