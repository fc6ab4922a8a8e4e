/**
 * A channel adapter's operator (docs/security.md) holding the tenant's paper-forms API key and
 * the month's spreadsheet, importing it again re-saved — another encoding, rows sorted otherwise,
 * Excel's trailing blank rows, cells re-typed with spaces — to register every complaint twice and
 * inflate the volumes the regulator returns count. Real intake in process, real PostgreSQL; this
 * failed on 7614b2a, whose import keyed rows by the file's bytes and the row's position.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'iconv-lite';
import { ApiKeys } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { importCsv } from '../../services/intake/src/bulk-import/csv-import';
import { startInProcess, type InProcessService } from '../support/in-process';

const HEADER =
  'channel,complainant_name,customer_id,phone,description,demands,target_kind,target_name,occurred_at,language';
const line = (i: number, pad = '') =>
  [
    'branch',
    `${pad}客户${i}${pad}`,
    `C-${20000 + i}`,
    `1390000${String(i).padStart(4, '0')}`,
    `"营业厅排队两小时，无人处理，表单 ${i}"`,
    '道歉;改进服务',
    'branch',
    '徐汇支行',
    '2026-10-15 10:00',
    'zh',
  ].join(',');

describe('a channel adapter re-importing the same forms re-saved to register them twice', () => {
  let intake: InProcessService;
  let apiKey: string;
  const dir = mkdtempSync(join(tmpdir(), 'insider-bulk-'));
  const complaints = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    apiKey = (await new ApiKeys(intake.db).issue('default', 'paper-forms', ['branch'])).key;
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('registers nothing new however the file is re-saved', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => i);
    const original = join(dir, 'forms.csv');
    writeFileSync(original, [HEADER, ...rows.map((i) => line(i))].join('\n') + '\n');
    const first = await importCsv({ file: original, intakeUrl: intake.base, credentials: { apiKey } });
    expect(first.map((r) => r.status)).toEqual(Array(12).fill('accepted'));

    // The same forms: GBK as Chinese Excel saves them, sorted backwards, names re-typed with
    // spaces around them, CRLF line ends and two rows of empty cells at the end.
    const resaved = join(dir, 'forms (2).csv');
    const text = [HEADER, ...rows.reverse().map((i) => line(i, i % 2 ? ' ' : '')), ',,,,,,,,,', ',,,,,,,,,'].join(
      '\r\n',
    );
    writeFileSync(resaved, encode(text, 'gbk'));
    const again = await importCsv({ file: resaved, intakeUrl: intake.base, credentials: { apiKey } });
    expect(again.filter((r) => r.status !== 'duplicate')).toEqual([]);
    expect(new Set(again.map((r) => r.complaintId))).toEqual(new Set(first.map((r) => r.complaintId)));
    expect(await complaints()).toBe(12);
  }, 60_000);
});
