import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';
import { CSV_COLUMNS, importCsv, reportCsv } from './csv-import';
import { ApiKeys } from '@complaints/kit';

const ROWS = 1000;
const good = (i: number) => ({
  channel: i % 2 ? 'letter' : 'branch',
  complainant_name: `客户${i}`,
  customer_id: `C-${10000 + i}`,
  phone: `1380000${String(i).padStart(4, '0')}`,
  email: '',
  address: '',
  description:
    i % 3
      ? `营业厅办理业务排队时间过长，工作人员态度冷淡（表单 ${i}）`
      : `Annual fee charged although waived, form ${i}`,
  demands: '道歉;改进服务',
  target_kind: 'branch',
  target_name: '浦东支行',
  occurred_at: '2026-10-15T10:00:00+08:00',
  language: i % 3 ? 'zh' : 'en',
});
/** Twenty rows each wrong in one way, with the field the report must name. */
const BAD: [Partial<ReturnType<typeof good>>, RegExp][] = [
  [{ description: '' }, /description: .*should not be empty/],
  [{ complainant_name: '' }, /complainant\.name: .*should not be empty/],
  [{ email: 'not-an-email' }, /complainant\.contact\.email: email must be an email/],
  [{ occurred_at: 'last Tuesday' }, /occurredAt: occurredAt must be a valid ISO 8601 date string/],
  [{ channel: 'carrier-pigeon' }, /channel: channel must be one of the following values/],
  [{ target_kind: 'planet' }, /target\.kind: kind must be one of the following values/],
  [{ language: 'Chinese' }, /language: language must be a BCP 47 tag/],
  [{ occurred_at: '2099-01-01T00:00:00Z' }, /422: occurredAt .* lies in the future/],
  [{ phone: '', email: '', address: '' }, /422: The complainant needs at least one way to be contacted/],
  [{ description: 'x'.repeat(20001) }, /description: description must be shorter than or equal to 20000 characters/],
];

function csvOf(rows: Record<string, string>[], columns: readonly string[] = CSV_COLUMNS): string {
  const cell = (v: string) => (/[",\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

describe('bulk CSV import', () => {
  let intake: InProcessService;
  let apiKey: string;
  const dir = mkdtempSync(join(tmpdir(), 'csv-import-'));
  const file = join(dir, 'branch-forms-2026-10.csv');
  const badRows = new Map<number, RegExp>(); // CSV row number (header is row 1) → expected reason
  const complaintCount = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    apiKey = (await new ApiKeys(intake.db).issue('default', 'paper-forms', ['letter', 'branch'])).key;
    const rows = Array.from({ length: ROWS }, (_, i) => good(i));
    for (let k = 0; k < 20; k++) {
      const index = 37 + k * 47; // spread through the file
      const [change, reason] = BAD[k % BAD.length]!;
      rows[index] = { ...rows[index]!, ...change };
      badRows.set(index + 2, reason);
    }
    writeFileSync(file, csvOf(rows));
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('accepts the 980 good rows and reports exactly the 20 rejects with their reasons', async () => {
    const progress: number[] = [];
    const results = await importCsv({
      file,
      intakeUrl: intake.base,
      credentials: { apiKey },
      onProgress: (done) => progress.push(done),
    });
    expect(results).toHaveLength(ROWS);
    expect(progress.at(-1)).toBe(ROWS);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => r.row).sort((a, b) => a - b)).toEqual([...badRows.keys()].sort((a, b) => a - b));
    for (const r of rejected)
      expect({ row: r.row, reason: r.reason }).toEqual({
        row: r.row,
        reason: expect.stringMatching(badRows.get(r.row)!),
      });
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(ROWS - 20);
    expect(await complaintCount()).toBe(ROWS - 20);
    expect(
      reportCsv(results)
        .split('\n')
        .filter((line) => line.includes(',rejected,')),
    ).toHaveLength(20);
  }, 120_000);

  it('creates nothing new when the same file is imported again with the CLI, and writes the report', async () => {
    const report = join(dir, 'again.report.csv');
    // Asynchronously: the intake this CLI talks to runs in this very process.
    const cli = await promisify(execFile)(
      process.execPath,
      [join(__dirname, '../../dist/bulk-import/cli.js'), '--file', file, '--url', intake.base, '--report', report],
      { timeout: 120_000, env: { ...process.env, INTAKE_API_KEY: apiKey } },
    )
      .then(() => ({ code: 0, stdout: '' }))
      .catch((error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
    expect(cli.stdout).toContain(`${ROWS} rows: 0 accepted, ${ROWS - 20} already imported, 20 rejected`);
    expect(cli.code).toBe(1); // rejected rows make the exit status non-zero for scripts
    const lines = readFileSync(report, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines.filter((l) => l.includes(',duplicate,'))).toHaveLength(ROWS - 20);
  }, 120_000);

  it('leaves the complaint count unchanged by the second import', async () => {
    expect(await complaintCount()).toBe(ROWS - 20);
  });

  it('registers the market and supply area of the rows that give them, and refuses a bad one naming the field', async () => {
    const areas = join(dir, 'areas.csv');
    const rows = [
      { ...good(5000), market: 'gb', area: 'Rural' },
      { ...good(5001), market: 'DE' },
      { ...good(5002), area: 'suburban' },
    ];
    writeFileSync(areas, csvOf(rows, [...new Set([...CSV_COLUMNS, 'market', 'area'])]));
    const results = await importCsv({ file: areas, intakeUrl: intake.base, credentials: { apiKey } });
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(results[2]!.reason).toMatch(/area: area must be one of the following values/);
    const { rows: stored } = await intake.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE type = 'ComplaintReceived' AND stream_id = ANY($1) ORDER BY global_position",
      [results.slice(0, 2).map((r) => `complaint-${r.complaintId}`)],
    );
    expect(stored.map((r) => [r.data.market, r.data.area])).toEqual([
      ['GB', 'rural'],
      ['DE', undefined],
    ]);
  });
});
