/**
 * 7. Memory: each service's RSS idle (a few seconds after start) and its peak under load (intake
 * during scenario 1, all four during scenario 2), against a bare Node process (the runtime's floor).
 */
import { spawn } from 'node:child_process';
import { atMost, figure, type Figure } from '../lib/figures';
import type { BenchContext } from '../lib/context';
import { rssMB } from '../lib/services';

const S = '7 memory';

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1500));
  const rss = rssMB(child.pid!);
  child.kill();
  return rss;
}

export async function memoryScenario(ctx: BenchContext): Promise<Figure[]> {
  const floor = await bareNodeRss();
  const figures: Figure[] = [];
  for (const name of ['intake', 'routing', 'resolution', 'analytics']) {
    const m = ctx.memory[name];
    if (!m) continue;
    if (m.idleMB !== undefined)
      figures.push(
        figure(S, `${name} RSS idle`, m.idleMB, 'MB', {
          baseline: { name: 'bare node process', value: floor },
          target: atMost(150, '≤ 150 MB idle'),
        }),
      );
    if (m.loadMB !== undefined)
      figures.push(
        figure(S, `${name} peak RSS under load`, m.loadMB, 'MB', {
          baseline: { name: 'bare node process', value: floor },
          note: 'scenario 1',
        }),
      );
    if (m.e2eLoadMB !== undefined)
      figures.push(
        figure(S, `${name} peak RSS under load`, m.e2eLoadMB, 'MB', {
          baseline: { name: 'bare node process', value: floor },
          note: 'scenario 2',
        }),
      );
  }
  return figures;
}
