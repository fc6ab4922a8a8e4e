/**
 * The routing table, kept as data: which department, queue, category and priority a complaint
 * gets from the words in it. Examples come from 95598 (power) and 95599 (bank) desks; Chinese and
 * English keywords. Edit this table (or, later, load it per tenant) rather than the code.
 */
export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export interface RoutingRule {
  id: string;
  sector: 'power' | 'bank' | 'any';
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  keywords: string[];
}

export const DEFAULT_RULES: RoutingRule[] = [
  // Power utility (95598)
  {
    id: 'power-arrears-disconnection',
    sector: 'power',
    department: 'collections',
    queue: 'power-collections',
    category: 'arrears-disconnection',
    priority: 'high',
    keywords: [
      '欠费停电',
      '欠费',
      '催费',
      '复电',
      'disconnected for arrears',
      'arrears',
      'disconnection notice',
      'reconnect',
    ],
  },
  {
    id: 'power-outage',
    sector: 'power',
    department: 'outage-operations',
    queue: 'power-outage',
    category: 'outage',
    priority: 'high',
    keywords: ['停电', '断电', '计划停电', '故障停电', '没电', 'outage', 'power cut', 'blackout', 'no power'],
  },
  {
    id: 'power-metering',
    sector: 'power',
    department: 'metering',
    queue: 'power-metering',
    category: 'metering',
    priority: 'normal',
    keywords: ['电表', '电能表', '计量', '校验', 'meter accuracy', 'faulty meter', 'smart meter', 'meter'],
  },
  {
    id: 'power-meter-reading',
    sector: 'power',
    department: 'meter-reading',
    queue: 'power-meter-reading',
    category: 'meter-reading',
    priority: 'normal',
    keywords: ['抄表', '估抄', '错抄', '漏抄', 'meter reading', 'estimated reading'],
  },
  {
    id: 'power-billing',
    sector: 'power',
    department: 'billing',
    queue: 'power-billing',
    category: 'billing-tariff',
    priority: 'normal',
    keywords: ['电费', '电价', '阶梯电价', '峰谷', '多收', 'electricity bill', 'tariff', 'overcharged'],
  },
  {
    id: 'power-engineering',
    sector: 'power',
    department: 'engineering',
    queue: 'power-engineering',
    category: 'engineering-works',
    priority: 'normal',
    keywords: ['施工', '线路改造', '工程', '电线杆', 'construction', 'engineering works', 'roadworks', 'power line'],
  },
  // Bank (95599)
  {
    id: 'bank-unauthorised-charge',
    sector: 'bank',
    department: 'fraud',
    queue: 'bank-fraud',
    category: 'unauthorised-charge',
    priority: 'urgent',
    keywords: [
      '盗刷',
      '未授权',
      '不明扣款',
      '被骗',
      'unauthorised',
      'unauthorized',
      'fraud',
      'did not make this transaction',
    ],
  },
  {
    id: 'bank-credit-report',
    sector: 'bank',
    department: 'credit-reporting',
    queue: 'bank-credit-report',
    category: 'credit-report',
    priority: 'high',
    keywords: ['征信', '信用报告', '逾期记录', 'credit report', 'credit record', 'credit bureau'],
  },
  {
    id: 'bank-card-fees',
    sector: 'bank',
    department: 'cards',
    queue: 'bank-cards',
    category: 'card-fees',
    priority: 'normal',
    keywords: ['年费', '挂失费', '手续费', '信用卡', 'annual fee', 'card fee', 'loss-report fee', 'credit card'],
  },
  {
    id: 'bank-marketing',
    sector: 'bank',
    department: 'marketing',
    queue: 'bank-marketing',
    category: 'marketing-campaign',
    priority: 'low',
    keywords: ['营销', '活动', '积分', '礼品', '推销', 'promotion', 'campaign', 'reward points', 'cold call'],
  },
  {
    id: 'bank-account-activation',
    sector: 'bank',
    department: 'accounts',
    queue: 'bank-accounts',
    category: 'account-activation',
    priority: 'normal',
    keywords: ['激活', '开户', '销户', 'activation', 'activate', 'open an account', 'close my account'],
  },
  // Any sector
  {
    id: 'staff-attitude',
    sector: 'any',
    department: 'service-quality',
    queue: 'service-quality',
    category: 'staff-attitude',
    priority: 'normal',
    keywords: ['态度', '服务态度', '不耐烦', '辱骂', 'rude', 'attitude', 'impolite', 'shouted'],
  },
];

/** Words that mean the customer will go to a regulator, the media or court: handle first. */
export const ESCALATION_KEYWORDS = [
  '银监',
  '银保监',
  '金融监管',
  '人民银行',
  '消费者协会',
  '消协',
  '12398',
  '媒体',
  '曝光',
  '起诉',
  '律师',
  'regulator',
  'ombudsman',
  'media',
  'newspaper',
  'lawyer',
  'sue',
  'court',
];

export const TRIAGE: Pick<RoutingRule, 'department' | 'queue' | 'category' | 'priority'> = {
  department: 'triage',
  queue: 'triage',
  category: 'unclassified',
  priority: 'normal',
};
