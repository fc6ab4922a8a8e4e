#!/usr/bin/env node
/**
 * npm run import:csv -- --file forms.csv [--url http://127.0.0.1:3001] [--channel letter] [--report out.csv]
 *   [--encoding gb18030] [--time-zone Asia/Shanghai] [--concurrency 8]
 * npm run import:csv -- --template > forms.csv
 * Imports a CSV of complaints through the intake API with a progress bar and writes a per-row report.
 * Credentials from the environment: INTAKE_API_KEY (an API key for the channels in the file; it
 * names the tenant) or INTAKE_TOKEN (a bearer token).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_TIME_ZONE, importCsv, reportCsv, templateCsv } from './csv-import';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      url: { type: 'string', default: process.env.INTAKE_URL ?? 'http://127.0.0.1:3001' },
      channel: { type: 'string', default: 'letter' },
      report: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      encoding: { type: 'string' },
      'time-zone': { type: 'string', default: DEFAULT_TIME_ZONE },
      template: { type: 'boolean', default: false },
    },
  });
  if (values.template) {
    // With a BOM when written to a file, so that Excel opens the Chinese example as UTF-8.
    process.stdout.write(`${process.stdout.isTTY ? '' : '\uFEFF'}${templateCsv()}`);
    return 0;
  }
  const apiKey = process.env.INTAKE_API_KEY;
  const token = process.env.INTAKE_TOKEN;
  if (!values.file || (!apiKey && !token)) {
    console.error(
      'Usage: INTAKE_API_KEY=<key> (or INTAKE_TOKEN=<token>) npm run import:csv -- --file <forms.csv> [--url <intake>] [--channel letter] [--report <report.csv>] [--encoding <gb18030|utf-16le|...>] [--time-zone <IANA zone>]\n       npm run import:csv -- --template > forms.csv   (the columns and an example row)',
    );
    return 2;
  }
  const bar = new SingleBar(
    { format: 'importing [{bar}] {value}/{total} rows | {eta_formatted} left', stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  const results = await importCsv({
    file: values.file,
    intakeUrl: values.url,
    credentials: apiKey ? { apiKey } : { token: token! },
    defaultChannel: values.channel,
    concurrency: Number(values.concurrency),
    encoding: values.encoding,
    timeZone: values['time-zone'],
    onFile: ({ encoding, how, delimiter, timeZone }) =>
      console.error(
        `Reading the file as ${encoding} (${how}), separated by ${JSON.stringify(delimiter)}; dates without a zone are ${timeZone} time`,
      ),
    onProgress: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  });
  bar.stop();
  const reportPath = values.report ?? `${values.file}.report.csv`;
  await writeFile(reportPath, reportCsv(results));
  const count = (status: string) => results.filter((r) => r.status === status).length;
  console.log(
    `${results.length} rows: ${count('accepted')} accepted, ${count('duplicate')} already imported, ${count('rejected')} rejected, ${count('failed')} failed (import again later). Report: ${reportPath}`,
  );
  return count('rejected') + count('failed') > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(3);
  },
);
