/**
 * The bulk import against files as spreadsheets write them (issue "Contracts that standard tools
 * read"): Chinese Excel's GBK/GB18030, UTF-16 "Unicode text", UTF-8 with and without BOM; an
 * intake answering 429/503 with Retry-After; a file edited and imported again; dates without a
 * zone; full-width digits and separators. Real intake in process, real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'iconv-lite';
import { ApiKeys } from '@complaints/kit';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';
import { importCsv, type RowResult } from './csv-import';
import { CSV_COLUMNS, type Column, type Row } from './row-values';

/** The template's columns, the external reference moved first: the header, not the order, names them. */
const HEADER: readonly Column[] = ['external_reference', ...CSV_COLUMNS.filter((c) => c !== 'external_reference')];
type Cells = Row;

function row(n: string, change: Cells = {}): Cells {
  return {
    channel: 'branch',
    complainant_name: `王女士${n}`,
    customer_id: `C-${n}`,
    phone: '13800138000',
    description: `营业厅办理业务排队时间过长，工作人员态度冷淡「${n}」`,
    demands: '道歉;改进服务',
    target_kind: 'branch',
    target_name: '浦东支行',
    occurred_at: '2026-10-15T10:00:00+08:00',
    language: 'zh',
    ...change,
  };
}

function csvText(rows: Cells[], delimiter = ',', header = HEADER): string {
  const cell = (v: string) => (/[",\n\t;]/.test(v) || v.includes(delimiter) ? `"${v.replace(/"/g, '""')}"` : v);
  // Excel ends lines with CRLF.
  return [header.join(delimiter), ...rows.map((r) => header.map((c) => cell(r[c] ?? '')).join(delimiter))].join('\r\n');
}

describe('bulk import of files as spreadsheets write them', () => {
  let intake: InProcessService;
  let apiKey: string;
  const dir = mkdtempSync(join(tmpdir(), 'csv-spreadsheets-'));
  let fileNo = 0;
  const write = (content: Buffer) => {
    const file = join(dir, `forms-${++fileNo}.csv`);
    writeFileSync(file, content);
    return file;
  };
  const complaint = async (id: string) => {
    const response = await fetch(`${intake.base}/complaints/${id}`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      description: string;
      occurredAt: string;
      demands: string[];
      complainant: { name: string; contact: { phone?: string } };
    };
  };
  const statuses = (results: RowResult[]) => results.map((r) => `${r.row}:${r.status}`);

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    apiKey = (await new ApiKeys(intake.db).issue('default', 'paper-forms', ['letter', 'branch'])).key;
  });
  afterAll(async () => {
    await intake?.close();
  });

  const ENCODINGS: [string, (text: string) => Buffer, string[]][] = [
    ['UTF-8 without BOM', (t) => Buffer.from(t, 'utf8'), ['张三丰', '𠮷野家分店，服务差']],
    ['UTF-8 with BOM (Excel "CSV UTF-8")', (t) => Buffer.from(`\uFEFF${t}`, 'utf8'), ['欧阳娜娜', '€ 年费']],
    ['GBK (Chinese Excel "CSV")', (t) => encode(t, 'gbk'), ['李四', '年费已减免却仍被扣收，要求退还！']],
    ['GB18030', (t) => encode(t, 'gb18030'), ['王䶮', '𠮷野家分店的服务员态度恶劣；要求道歉']],
    [
      'UTF-16 LE with BOM (Excel "Unicode text", tab-separated)',
      (t) => encode(t, 'utf-16le', { addBOM: true }),
      ['赵六', '退款申请被驳回'],
    ],
    ['UTF-16 BE with BOM', (t) => encode(t, 'utf-16be', { addBOM: true }), ['钱七', '理财产品亏损未告知风险']],
  ];

  it.each(ENCODINGS)(
    'reads a %s file and stores its Chinese text exactly',
    async (name, encodeText, [who, what]) => {
      const tabs = name.includes('tab-separated');
      const rows = [row(`${fileNo}a`, { complainant_name: who, description: what }), row(`${fileNo}b`)];
      const file = write(encodeText(csvText(rows, tabs ? '\t' : ',')));
      const results = await importCsv({ file, intakeUrl: intake.base, credentials: { apiKey } });
      expect(statuses(results)).toEqual(['2:accepted', '3:accepted']);
      const stored = await complaint(results[0]!.complaintId!);
      expect({ name: stored.complainant.name, description: stored.description }).toEqual({
        name: who,
        description: what,
      });
      expect((await complaint(results[1]!.complaintId!)).description).toBe(rows[1]!.description);
    },
    60_000,
  );

  it('refuses a file whose encoding it cannot tell, naming --encoding, and sends nothing', async () => {
    const file = write(
      Buffer.concat([Buffer.from(HEADER.join(',') + '\r\n'), Buffer.from([0x81, 0x30, 0xff, 0xfe, 0x00, 0x9f])]),
    );
    const events = async () => (await intake.db.query('SELECT 1 FROM events')).rowCount;
    const before = await events();
    await expect(importCsv({ file, intakeUrl: intake.base, credentials: { apiKey } })).rejects.toThrow(/--encoding/);
    expect(await events()).toBe(before);
  });

  it('honours 429 and 503 Retry-After and ends with every row accepted, none rejected', async () => {
    // A real HTTP server in front of intake: the first 12 submissions are refused with 429, the
    // next 2 with 503, each saying "Retry-After: 1"; then it forwards to intake.
    let seen = 0;
    const refusedAt = new Map<string, number>(); // Idempotency-Key → when its row was last refused
    const waited: number[] = []; // for each retry, how long after its refusal it came
    const proxy: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const n = ++seen;
        const key = String(request.headers['idempotency-key']);
        if (refusedAt.has(key)) waited.push(Date.now() - refusedAt.get(key)!);
        if (n <= 14) {
          refusedAt.set(key, Date.now());
          const status = n <= 12 ? 429 : 503;
          response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end(JSON.stringify({ statusCode: status, message: status === 429 ? 'Too many requests' : 'Busy' }));
          return;
        }
        void fetch(`${intake.base}${request.url}`, {
          method: request.method,
          headers: request.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }).then(async (answer) => {
          response.writeHead(answer.status, Object.fromEntries(answer.headers));
          response.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const rows = Array.from({ length: 10 }, (_, i) => row(`storm-${i}`));
      const file = write(Buffer.from(csvText(rows)));
      const results = await importCsv({
        file,
        intakeUrl: `http://127.0.0.1:${port}`,
        credentials: { apiKey },
        concurrency: 4,
      });
      expect(results.filter((r) => r.status !== 'accepted')).toEqual([]);
      expect(results).toHaveLength(10);
      // Retry-After honoured: no refused row comes back before its second is up (a backoff of
      // its own would be 0.5-1 s and come early). The first round alone refuses 4 rows.
      expect(waited.length).toBeGreaterThanOrEqual(4);
      expect(waited.filter((ms) => ms < 950)).toEqual([]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);

  it('gives up on a row after the bounded attempts, whatever Retry-After asks, and reports it failed, not rejected', async () => {
    let calls = 0;
    const busy: Server = createServer((request, response) => {
      calls++;
      request.resume();
      response.writeHead(429, { 'retry-after': '86400' }).end('{"message":"Too many requests"}');
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const results = await importCsv({
        file: write(Buffer.from(csvText([row('busy-1'), row('busy-2')]))),
        intakeUrl: `http://127.0.0.1:${(busy.address() as { port: number }).port}`,
        credentials: { apiKey },
        retry: { attempts: 3, maxWaitMs: 200, baseMs: 10 },
      });
      expect(results.map((r) => [r.status, r.reason])).toEqual(
        Array(2).fill(['failed', expect.stringMatching(/429 3 times; import the file again later/)]),
      );
      expect(calls).toBe(6);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('adds only the new rows when an edited file is imported again', async () => {
    const first = [
      row('ed-1', { external_reference: 'F-2026-0001' }),
      row('ed-2', { external_reference: 'F-2026-0002' }),
      row('ed-3', { external_reference: 'F-2026-0003' }),
      row('ed-4'),
      row('ed-5'),
    ];
    const before = await importCsv({
      file: write(Buffer.from(csvText(first))),
      intakeUrl: intake.base,
      credentials: { apiKey },
    });
    expect(before.map((r) => r.status)).toEqual(Array(5).fill('accepted'));
    const edited = [
      row('ed-new-1'), // a new row inserted at the top: every row below moves down
      first[0]!,
      { ...first[1]!, description: `${first[1]!.description}（补充：第二次来访）` }, // edited, same reference
      first[2]!,
      { ...first[3]!, demands: '道歉; 改进服务' }, // re-saved: spacing differs, content the same
      row('ed-new-2', { external_reference: 'F-2026-0009' }),
    ];
    const again = await importCsv({
      file: write(Buffer.from(csvText(edited))),
      intakeUrl: intake.base,
      credentials: { apiKey },
    });
    expect(statuses(again)).toEqual([
      '2:accepted',
      '3:duplicate',
      '4:duplicate',
      '5:duplicate',
      '6:duplicate',
      '7:accepted',
    ]);
    expect(again[2]!.reason).toMatch(/F-2026-0002.*edited/);
    expect(again[1]!.complaintId).toBe(before[0]!.complaintId);
    expect(again[4]!.complaintId).toBe(before[3]!.complaintId);
  }, 60_000);

  it('reads a date without a zone in the tenant zone (Asia/Shanghai unless --time-zone) and says so', async () => {
    const rows = [
      row('tz-1', { occurred_at: '2026/10/15 10:00' }), // Excel's display format
      row('tz-2', { occurred_at: '2026-10-15 10:00:00' }),
      row('tz-3', { occurred_at: '2026-10-15T10:00:00Z' }), // has a zone: taken as written
    ];
    const results = await importCsv({
      file: write(Buffer.from(csvText(rows))),
      intakeUrl: intake.base,
      credentials: { apiKey },
    });
    expect(statuses(results)).toEqual(['2:accepted', '3:accepted', '4:accepted']);
    expect((await complaint(results[0]!.complaintId!)).occurredAt).toBe('2026-10-15T02:00:00.000Z');
    expect((await complaint(results[1]!.complaintId!)).occurredAt).toBe('2026-10-15T02:00:00.000Z');
    expect((await complaint(results[2]!.complaintId!)).occurredAt).toBe('2026-10-15T10:00:00.000Z');
    expect(results[0]!.note).toMatch(/2026\/10\/15 10:00.*Asia\/Shanghai/);
    expect(results[2]!.note).toBeUndefined();

    const london = await importCsv({
      file: write(Buffer.from(csvText([row('tz-4', { occurred_at: '2026-10-15 10:00' })]))),
      intakeUrl: intake.base,
      credentials: { apiKey },
      timeZone: 'Europe/London',
    });
    expect((await complaint(london[0]!.complaintId!)).occurredAt).toBe('2026-10-15T09:00:00.000Z');
  }, 60_000);

  it('reads full-width digits and separators where Chinese input methods put them', async () => {
    const rows = [
      row('fw-1', {
        phone: '１３８００１３８０００',
        occurred_at: '２０２６/１０/１５ １０:００',
        demands: '退款；道歉',
        description: '全角标点，保持原样：１２３',
      }),
    ];
    // The header typed with a Chinese input method: full-width commas between the columns.
    const file = write(Buffer.from(csvText(rows, '，')));
    const [result] = await importCsv({ file, intakeUrl: intake.base, credentials: { apiKey } });
    expect(result!.status).toBe('accepted');
    const stored = await complaint(result!.complaintId!);
    expect(stored.complainant.contact.phone).toBe('13800138000');
    expect(stored.occurredAt).toBe('2026-10-15T02:00:00.000Z');
    expect(stored.demands).toEqual(['退款', '道歉']);
    expect(stored.description).toBe('全角标点，保持原样：１２３');
  }, 60_000);

  it('prints a template (--template) that Excel opens as UTF-8 and that imports as it is', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(__dirname, '../../dist/bulk-import/cli.js'),
      '--template',
    ]);
    expect(stdout.startsWith('\uFEFFchannel,complainant_name,')).toBe(true);
    const file = join(dir, 'template.csv');
    writeFileSync(file, stdout);
    const [result] = await importCsv({ file, intakeUrl: intake.base, credentials: { apiKey } });
    expect(result).toMatchObject({ row: 2, status: 'accepted' });
    expect((await complaint(result!.complaintId!)).complainant.name).toBe('王女士');
  }, 60_000);
});

describe("bulk import against intake's own rate limit", () => {
  let intake: InProcessService;
  afterAll(async () => {
    await intake?.close();
  });

  it('waits out the 429s of RATE_LIMIT_PER_MINUTE=4 and imports all 7 rows, none rejected', async () => {
    intake = await startInProcess(intakeService, undefined, { RATE_LIMIT_PER_MINUTE: '4' });
    const apiKey = (await new ApiKeys(intake.db).issue('default', 'paper-forms', ['branch'])).key;
    const file = join(mkdtempSync(join(tmpdir(), 'csv-rate-')), 'forms.csv');
    writeFileSync(file, csvText(Array.from({ length: 7 }, (_, i) => row(`rate-${i}`))));
    const started = Date.now();
    const results = await importCsv({ file, intakeUrl: intake.base, credentials: { apiKey }, concurrency: 2 });
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('accepted'));
    // The limit is per minute: the last three rows could only have gone through in the next one.
    expect(Date.now() - started).toBeGreaterThan(50_000);
  }, 150_000);
});
