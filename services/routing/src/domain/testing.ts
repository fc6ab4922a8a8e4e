/** Small rule tables, directories and complaints for the domain's tests: each test states only what matters to it. */
import type { ComplaintToRoute } from './classify';
import type { Agent, Directory } from './directory';
import type { RuleTable } from './rules';

export const TABLE: RuleTable = {
  source: 'test.json',
  defaultDegree: 'critical',
  minimumScore: 2,
  ambiguityMargin: 0,
  rules: [
    {
      id: 'power-metering',
      sector: 'power',
      department: 'metering',
      queue: 'power-metering',
      category: 'metering',
      contentCategory: 'quality',
      priority: 'normal',
      keywords: ['电表', '计量', 'meter'],
      fields: { targetKinds: ['meter'] },
      requiredSkills: ['metering'],
    },
    {
      id: 'power-billing',
      sector: 'power',
      department: 'billing',
      queue: 'power-billing',
      category: 'billing-tariff',
      contentCategory: 'price',
      priority: 'normal',
      keywords: ['电费', 'tariff'],
    },
    {
      id: 'power-engineering',
      sector: 'power',
      department: 'engineering',
      queue: 'power-engineering',
      category: 'engineering-works',
      priority: 'normal',
      keywords: ['施工', 'roadworks'],
      contributingDepartments: ['outage-operations'],
    },
    {
      id: 'bank-card-fees',
      sector: 'bank',
      department: 'cards',
      queue: 'bank-cards',
      category: 'card-fees',
      priority: 'normal',
      keywords: ['年费', 'annual fee'],
      fields: { demandKeywords: ['refund the fee'] },
    },
  ],
  priorityRaisers: [
    { id: 'regulator-referral', raiseTo: 'urgent', channels: ['regulator'] },
    { id: 'threatens', raiseTo: 'high', keywords: ['银保监', 'media', 'court'] },
    { id: 'vulnerable', raiseTo: 'high', keywords: ['老人', 'elderly'] },
    { id: 'large-amount', raiseTo: 'high', amountAbove: { CNY: 5000, USD: 1000 } },
  ],
  degreeRules: [
    { id: 'accusatory-words', degree: 'accusatory', keywords: ['举报', 'illegal'] },
    { id: 'constructive-words', degree: 'constructive', keywords: ['建议', 'suggest'] },
  ],
};

export const agents = (prefix: string, n: number, skills: string[] = [], capacity = 1000): Agent[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i + 1}`, name: `${prefix} ${i + 1}`, skills, capacity }));

export const DIRECTORY: Directory = {
  departments: [
    {
      id: 'triage',
      name: 'Triage',
      queues: [{ id: 'triage', name: 'Triage', strategy: 'round-robin' }],
      agents: agents('tri', 2),
    },
    {
      id: 'metering',
      name: 'Metering',
      queues: [{ id: 'power-metering', name: 'Meters', strategy: 'skills-match', requiredSkills: ['metering'] }],
      agents: [...agents('met', 2, ['metering']), { id: 'trainee', name: 'Trainee', skills: [], capacity: 1000 }],
    },
    {
      id: 'billing',
      name: 'Billing',
      queues: [{ id: 'power-billing', name: 'Bills', strategy: 'least-loaded' }],
      agents: agents('bil', 3),
    },
    {
      id: 'cards',
      name: 'Cards',
      queues: [{ id: 'bank-cards', name: 'Cards', strategy: 'round-robin' }],
      agents: agents('card', 3),
    },
  ],
};

export function complaint(description: string, overrides: Partial<ComplaintToRoute> = {}): ComplaintToRoute {
  return {
    complaintId: '0190a1b2-0000-7000-8000-000000000001',
    reference: 'CMP-2026-000001',
    channel: 'hotline',
    description,
    demands: [],
    target: { kind: 'other', name: '' },
    ...overrides,
  };
}
