/**
 * `npm run eval:routing`: prints the routing evaluation (docs/routing-eval.md) and writes it as JSON
 * to reports/eval-routing.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRouting, REPO_ROOT } from './evaluate';
import { renderEvaluation } from './render';

const evaluation = evaluateRouting();
const out = join(REPO_ROOT, 'reports', 'eval-routing.json');
mkdirSync(join(REPO_ROOT, 'reports'), { recursive: true });
writeFileSync(out, `${JSON.stringify(evaluation, null, 2)}\n`);
process.stdout.write(`${renderEvaluation(evaluation)}\nWritten to reports/eval-routing.json\n`);
