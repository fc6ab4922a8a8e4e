/**
 * The degree classifier against the definitions (TAXONOMY.md "Degree", seed 000 六.B), with
 * complaints written for these definitions here, not taken from any corpus.
 */
import { decideDegree } from './degree';

describe('the degree of a complaint, read from its wording', () => {
  it.each([
    // accusatory: accuses the company or its staff of wrongdoing
    ['你们的客户经理伪造了我的签名', 'forgery'],
    ['柜员收了别人的好处费，让他插队办理', 'bribery'],
    ['你们这是欺诈消费者，霸王条款', 'fraud'],
    ['保险公司故意拖着不赔，就是想让我放弃', 'deliberate harm'],
    ['The branch manager lied to me about the fees and deliberately hid the charges', 'lies'],
    ['Your adviser forged my signature on the application', 'forgery'],
    ['They refused me an account because of my nationality. This is discrimination', 'discrimination'],
    ['This is illegal and I will report it to the regulator', 'breaking the law'],
    // accusatory: demands punishment
    ['我要举报这个抄表员', 'report'],
    ['要求严肃处分那个营业员，追究他的责任', 'punishment'],
    ['I want the agent disciplined and held accountable', 'punishment'],
  ])('"%s" is accusatory (%s)', (text) => {
    expect(decideDegree(text).degree).toBe('accusatory');
  });

  it.each([
    ['建议营业厅周末也开放，方便上班族', 'a suggestion, no blame'],
    ['希望能在APP里增加电费明细查询功能', 'a wish to improve'],
    ['提个建议：停电通知能不能提前短信告诉我们', 'a suggestion'],
    ['It would help if the app showed pending transfers', 'a suggestion in English'],
    ['I suggest adding a Chinese-language option to your website', 'a suggestion'],
    ['Could you consider longer opening hours on Saturdays? It would be nice for working people.', 'a request'],
  ])('"%s" is constructive (%s)', (text) => {
    expect(decideDegree(text).degree).toBe('constructive');
  });

  it.each([
    ['电费多收了两百元，要求退还', 'a failure, put right'],
    ['停电三天了还没有人来修，太过分了', 'dissatisfaction'],
    ['My transfer has still not arrived after five days', 'a failure'],
    ['The annual fee was charged on a card I cancelled. Please refund it.', 'a failure, put right'],
    ['I will go to the ombudsman if this is not fixed', 'a threat is not an accusation'],
    ['要求赔偿冰箱里坏掉的东西', 'compensation is not an accusation'],
    ['建议你们好好改进！投诉了三次还是没人管，太差了，我很失望，要求退款', 'a suggestion buried in blame'],
  ])('"%s" is critical (%s)', (text) => {
    expect(decideDegree(text).degree).toBe('critical');
  });

  it('is not fooled by a denial ("不是故意") or a third party\'s crime', () => {
    expect(decideDegree('我知道营业员不是故意的，但电费算错了').degree).toBe('critical');
    expect(decideDegree('My card was stolen and someone used it; please stop the payments').degree).toBe('critical');
  });

  it('names the cues that decided it and falls back to the degree it is given', () => {
    const accused = decideDegree('你们骗人，我要举报');
    expect(accused.cues.wrongdoing).toEqual(['骗人']);
    expect(accused.cues.punishment).toEqual(['举报']);
    expect(accused.reason).toBe('accuses of wrongdoing: 骗人, 举报');
    expect(decideDegree('电费算错了', 'constructive').degree).toBe('constructive');
  });
});
