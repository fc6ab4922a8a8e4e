import { assign, nextCursor, type Agent, type Assignment, type Directory, type Workload } from './directory';
import { agents } from './testing';

const directoryOf = (
  strategy: 'round-robin' | 'least-loaded' | 'skills-match',
  staff: Agent[],
  requiredSkills?: string[],
): Directory => ({
  departments: [
    {
      id: 'cards',
      name: 'Cards',
      queues: [{ id: 'q', name: 'Q', strategy, ...(requiredSkills ? { requiredSkills } : {}) }],
      agents: staff,
    },
  ],
});

/** Routes `n` complaints one after another, the workload kept as the service keeps it from its events. */
function routeMany(directory: Directory, n: number, requiredSkills: string[] = []) {
  const workload: Workload = { openByAgent: {}, cursorByQueue: {} };
  const assignments: Assignment[] = [];
  for (let i = 0; i < n; i++) {
    const assignment = assign(directory, { department: 'cards', queue: 'q', requiredSkills }, workload);
    assignments.push(assignment);
    if (!assignment.agentId) continue;
    workload.openByAgent[assignment.agentId] = (workload.openByAgent[assignment.agentId] ?? 0) + 1;
    workload.cursorByQueue.q = nextCursor(directory, 'cards', 'q', assignment.agentId);
  }
  return { assignments, open: workload.openByAgent };
}
const spread = (open: Record<string, number>, staff: Agent[]) => {
  const counts = staff.map((a) => open[a.id] ?? 0);
  return Math.max(...counts) - Math.min(...counts);
};

describe('assigning agents', () => {
  it.each(['round-robin', 'least-loaded'] as const)(
    '%s spreads 300 complaints within one of even across 7 equal agents',
    (strategy) => {
      const staff = agents('a', 7);
      const { open } = routeMany(directoryOf(strategy, staff), 300);
      expect(Object.values(open).reduce((s, n) => s + n, 0)).toBe(300);
      expect(spread(open, staff)).toBeLessThanOrEqual(1);
    },
  );

  it('least-loaded evens out a queue whose agents start with different workloads', () => {
    const staff = agents('a', 3);
    const workload: Workload = { openByAgent: { 'a-1': 10, 'a-2': 4 }, cursorByQueue: {} };
    const picked = [0, 1, 2].map(() => {
      const { agentId } = assign(directoryOf('least-loaded', staff), { department: 'cards', queue: 'q' }, workload);
      workload.openByAgent[agentId!] = (workload.openByAgent[agentId!] ?? 0) + 1;
      return agentId;
    });
    expect(picked).toEqual(['a-3', 'a-3', 'a-3']);
  });

  it('least-loaded weighs load against capacity', () => {
    const staff: Agent[] = [
      { id: 'senior', name: 'S', skills: [], capacity: 20 },
      { id: 'junior', name: 'J', skills: [], capacity: 5 },
    ];
    const { open } = routeMany(directoryOf('least-loaded', staff), 25);
    expect(open).toEqual({ senior: 20, junior: 5 });
  });

  it('skills match never assigns an agent without the required skill, across 300 complaints', () => {
    const staff = [...agents('skilled', 3, ['fraud-investigation']), ...agents('new', 4, ['zh'])];
    const { assignments, open } = routeMany(directoryOf('skills-match', staff, ['fraud-investigation']), 300);
    expect(assignments.every((a) => a.agentId?.startsWith('skilled-'))).toBe(true);
    expect(spread(open, staff.slice(0, 3))).toBeLessThanOrEqual(1);
  });

  it('round-robin and least-loaded also never give a case to an agent lacking the rule’s skill', () => {
    const staff = [...agents('skilled', 2, ['metering']), ...agents('new', 2)];
    for (const strategy of ['round-robin', 'least-loaded'] as const) {
      const { assignments } = routeMany(directoryOf(strategy, staff), 50, ['metering']);
      expect(assignments.every((a) => a.agentId?.startsWith('skilled-'))).toBe(true);
    }
  });

  it('leaves the case unassigned in the queue, with the reason, when nobody has the skill', () => {
    expect(
      assign(
        directoryOf('skills-match', agents('new', 3, ['zh'])),
        { department: 'cards', queue: 'q', requiredSkills: ['credit-report'] },
        { openByAgent: {}, cursorByQueue: {} },
      ),
    ).toEqual({
      strategy: 'skills-match',
      reason: 'left in queue q: nobody has the skills credit-report',
      requiredSkills: ['credit-report'],
    });
  });

  it.each(['round-robin', 'least-loaded', 'skills-match'] as const)(
    '%s gives an English complaint only to an agent with English, and a zh-TW one to a zh speaker',
    (strategy) => {
      const staff: Agent[] = [
        ...agents('zh', 3).map((a) => ({ ...a, languages: ['zh'] })),
        { id: 'en-1', name: 'E', skills: [], languages: ['en'], capacity: 1000 },
      ];
      const directory = directoryOf(strategy, staff);
      const workload: Workload = { openByAgent: {}, cursorByQueue: {} };
      for (let i = 0; i < 20; i++) {
        const english = assign(directory, { department: 'cards', queue: 'q', language: 'en-GB' }, workload);
        expect(english).toMatchObject({ agentId: 'en-1', requiredSkills: ['en'] });
        const chinese = assign(directory, { department: 'cards', queue: 'q', language: 'zh-TW' }, workload);
        expect(chinese.agentId).toMatch(/^zh-/);
        workload.openByAgent[chinese.agentId!] = (workload.openByAgent[chinese.agentId!] ?? 0) + 1;
        workload.cursorByQueue.q = (workload.cursorByQueue.q ?? 0) + 1;
      }
    },
  );

  it('leaves a complaint nobody can read in the queue, saying which language is missing', () => {
    const staff = agents('zh', 2).map((a) => ({ ...a, languages: ['zh'] }));
    expect(
      assign(directoryOf('round-robin', staff), { department: 'cards', queue: 'q', language: 'en' }, EMPTY),
    ).toEqual({ strategy: 'round-robin', reason: 'left in queue q: nobody speaks en', requiredSkills: ['en'] });
  });

  it('leaves the case in the queue when every agent is at capacity', () => {
    const { assignments } = routeMany(directoryOf('round-robin', agents('a', 2, [], 3)), 7);
    expect(assignments.filter((a) => a.agentId)).toHaveLength(6);
    expect(assignments[6]).toEqual({ strategy: 'round-robin', reason: 'left in queue q: every agent is at capacity' });
  });

  it('assigns nobody to a department the directory lacks, and says so', () => {
    expect(
      assign({ departments: [] }, { department: 'x', queue: 'x' }, { openByAgent: {}, cursorByQueue: {} }),
    ).toEqual({
      strategy: 'none',
      reason: 'department x is not in the directory',
    });
  });
});

const EMPTY: Workload = { openByAgent: {}, cursorByQueue: {} };
