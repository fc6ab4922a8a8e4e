/**
 * The degree of a complaint (DOMAIN.md, seed 000 六.B: 建设性 / 批评性 / 控告性), decided from its
 * wording in Chinese and English, by the definitions of test/fixtures/routing-corpus/TAXONOMY.md:
 *
 * - accusatory: accuses the company or its staff of wrongdoing (fraud, cheating, breaking the law,
 *   deliberate harm, bribery, forgery, discrimination) or demands that someone be punished;
 * - constructive: a suggestion or request to improve, without blame;
 * - critical: a failure told with dissatisfaction, asking for it to be put right (everything else).
 *
 * A threat of the regulator, the media or a court, or a demand for compensation, often comes with an
 * accusation but does not make one: they are recorded as cues and do not decide on their own.
 * Pure: text in, degree and the cues that decided it out.
 */
import type { Degree } from './rules';
import { matching, normalised } from './words';

/** Accusations of wrongdoing by the company or its staff. */
const WRONGDOING = [
  // zh: fraud, cheating, lies, breaking the law or the rules, deliberate harm
  '欺诈',
  '欺骗',
  '骗我',
  '骗了我',
  '骗人',
  '骗钱',
  '骗子',
  '坑人',
  '坑钱',
  '坑我',
  '黑心',
  '违法',
  '违规',
  '犯法',
  '违反规定',
  '违反法律',
  '霸王条款',
  '故意',
  '蓄意',
  '恶意扣',
  '伪造',
  '冒签',
  '代签',
  '冒用',
  '私自',
  '擅自',
  '挪用',
  '侵吞',
  '贪污',
  '受贿',
  '索贿',
  '索要好处',
  '回扣',
  '好处费',
  '收红包',
  '歧视',
  '串通',
  '勾结',
  '侵犯',
  '侵害',
  '敲诈',
  '勒索',
  '隐瞒',
  '造假',
  '作假',
  '弄虚作假',
  '偷偷',
  '盗用',
  '乱收费',
  '强制',
  '强行',
  '威胁',
  '撒谎',
  '说谎',
  '虚假',
  '误导',
  // en
  'defraud',
  'committing fraud',
  'this is fraud',
  'cheat',
  'cheated',
  'cheating',
  'deceive',
  'deceived',
  'deceptive',
  'deception',
  'lied',
  'lying',
  'liar',
  'illegal',
  'illegally',
  'unlawful',
  'against the law',
  'broke the law',
  'breaking the law',
  'breach of regulations',
  'stole',
  'stealing',
  'embezzle',
  'embezzlement',
  'bribe',
  'bribery',
  'kickback',
  'forged',
  'forgery',
  'forging',
  'discriminate',
  'discrimination',
  'discriminatory',
  'deliberately',
  'on purpose',
  'intentionally',
  'swindle',
  'swindled',
  'extort',
  'extortion',
  'rip-off',
  'ripped off',
  'daylight robbery',
  'collusion',
  'colluded',
  'misconduct',
  'falsified',
  'falsify',
  'concealed',
  'covered up',
  'cover-up',
  'misled',
  'misleading',
  'mis-sold',
  'predatory',
  'threatened me',
];

/** Demands that someone be punished or held to account. */
const PUNISHMENT = [
  '举报',
  '控告',
  '追究',
  '严惩',
  '处分',
  '处罚',
  '开除',
  '辞退',
  '问责',
  '追责',
  '报警',
  '立案',
  'punish',
  'punished',
  'discipline',
  'disciplinary',
  'held accountable',
  'hold accountable',
  'accountable',
  'be sacked',
  'be fired',
  'report this to the police',
  'reported it to the police',
  'prosecute',
  'prosecution',
];

/** Often with an accusation, not one by themselves. */
const THREATS = [
  '监管',
  '银保监',
  '人民银行',
  '消协',
  '消费者协会',
  '12378',
  '12363',
  '12315',
  '媒体',
  '曝光',
  '记者',
  '起诉',
  '律师',
  '法院',
  '打官司',
  'regulator',
  'ombudsman',
  'media',
  'press',
  'journalist',
  'lawyer',
  'solicitor',
  'sue',
  'court',
  'legal action',
];

/** A clear suggestion: worth 2. */
const SUGGESTIONS = [
  '建议',
  '提个意见',
  '提个建议',
  '提一个建议',
  '一点意见',
  '如果能',
  '就好了',
  '最好能',
  '希望能',
  '希望可以',
  '是否可以考虑',
  '可否考虑',
  '能否考虑',
  '可以考虑',
  '不妨',
  'suggest',
  'suggestion',
  'would be good if',
  'would be nice',
  'would be great',
  'would be helpful',
  'it would help',
  'could you consider',
  'please consider',
  'might consider',
  'consider adding',
  'recommend that',
  'i recommend',
  'propose',
  'feature request',
];

/** A softer wish to improve: worth 1. */
const IMPROVEMENTS = [
  '改进',
  '改善',
  '优化',
  '完善',
  '增加',
  '增设',
  '方便',
  '体验',
  'improve',
  'improvement',
  'better',
  'add an option',
  'easier',
  'convenient',
];

/** Blame and dissatisfaction: a suggestion that comes with more of these is a complaint. */
const BLAME = [
  '投诉',
  '不满',
  '太差',
  '很差',
  '差劲',
  '气愤',
  '愤怒',
  '失望',
  '无法接受',
  '不能接受',
  '一直没',
  '至今',
  '还没有',
  '仍然',
  '仍未',
  '多次',
  '反复',
  '再三',
  '拖延',
  '拒绝',
  '不予',
  '错误',
  '退还',
  '退款',
  '赔偿',
  '损失',
  '凭什么',
  '太过分',
  'complain',
  'complaint',
  'unacceptable',
  'disgusted',
  'disgraceful',
  'terrible',
  'awful',
  'appalling',
  'ridiculous',
  'furious',
  'angry',
  'disappointed',
  'still not',
  "still haven't",
  "still hasn't",
  'refused',
  'refuse',
  'wrong',
  'failed',
  'overcharged',
  'refund',
  'compensation',
  'worst',
  'fed up',
];

/** Phrases that deny a cue ("不是故意", "not deliberately") are removed before the cues are read. */
const DENIALS = ['不是故意', '并非故意', '无意', 'not deliberately', 'not on purpose', "wasn't deliberate"];

export interface DegreeCues {
  wrongdoing: string[];
  punishment: string[];
  threats: string[];
  suggestions: string[];
  blame: string[];
}

export interface DegreeDecision {
  degree: Degree;
  cues: DegreeCues;
  /** Why, in words, for the routing explanation. */
  reason: string;
}

/**
 * Reads the degree from the customer's own words (description and demands, not the structured
 * target). Accusatory wins over constructive: an accusation with a suggestion is still one.
 */
export function decideDegree(wording: string, fallback: Degree = 'critical'): DegreeDecision {
  const text = DENIALS.reduce((t, denial) => t.split(denial).join(' '), normalised(wording));
  const strong = matching(text, SUGGESTIONS);
  const soft = matching(text, IMPROVEMENTS);
  const cues: DegreeCues = {
    wrongdoing: matching(text, WRONGDOING),
    punishment: matching(text, PUNISHMENT),
    threats: matching(text, THREATS),
    suggestions: [...strong, ...soft],
    blame: matching(text, BLAME),
  };
  const accusations = [...cues.wrongdoing, ...cues.punishment];
  if (accusations.length > 0) {
    return { degree: 'accusatory', cues, reason: `accuses of wrongdoing: ${accusations.join(', ')}` };
  }
  const suggestion = 2 * strong.length + soft.length;
  if (strong.length > 0 && suggestion > cues.blame.length) {
    const blame = cues.blame.length ? `, outweighing ${cues.blame.join(', ')}` : ', without blame';
    return { degree: 'constructive', cues, reason: `suggests: ${cues.suggestions.join(', ')}${blame}` };
  }
  const why = strong.length ? `a suggestion outweighed by blame (${cues.blame.join(', ')})` : 'no suggestion';
  return { degree: fallback, cues, reason: `no accusation, ${why}` };
}
