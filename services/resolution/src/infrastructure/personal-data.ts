/**
 * Which parts of a case command are personal data: the free text agents write while working the
 * case — about the customer, to the customer, or in the customer's own words. The command path
 * seals them with the case's data subject key before deciding (as intake seals the complaint), so
 * resolution's event store, its topic and analytics' copies hold only ciphertext, and erasing the
 * subject makes them unreadable. One entry per command: a new command is a type error until it
 * says which of its fields are free text.
 *
 * Codes, ids, amounts and dates stay plain. So do the root cause and the improvement action of a
 * closure: they name the firm's failing and its fix, and the root-cause KPI counts them by their
 * text (the API asks that they not name the customer).
 */
import type { CaseCommand, CaseCommandType, CommandOf } from '../domain/case.commands';

export type Seal = (plain: string) => string;

type Data<T extends CaseCommandType> = CommandOf<T>['data'];
/** The fields of a command's data that hold text: a string, or a list of strings. */
type TextField<D> = { [K in keyof D]-?: NonNullable<D[K]> extends string | string[] ? K : never }[keyof D];
type SealData<T extends CaseCommandType> = (data: Data<T>, seal: Seal) => Data<T>;

function text<T extends CaseCommandType>(...fields: TextField<Data<T>>[]): SealData<T> {
  return (data, seal) => {
    const sealed: Record<string, unknown> = { ...data };
    for (const field of fields) {
      const value = data[field] as string | string[] | undefined;
      if (value !== undefined) sealed[field as string] = typeof value === 'string' ? seal(value) : value.map(seal);
    }
    return sealed as Data<T>;
  };
}

const FREE_TEXT: { [T in CaseCommandType]: SealData<T> | null } = {
  OpenCase: null,
  AcknowledgeCase: text('summary'),
  // Evidence references point at the customer's bills, transactions and calls.
  RecordInvestigation: text('findings', 'evidenceRefs'),
  AssignAccountability: text('cause'),
  JudgeValidity: text('reason'),
  ProposeResolution: (data, seal) => ({
    ...data,
    options: data.options.map((option) => ({ ...option, description: seal(option.description) })),
  }),
  ApproveProposal: text('comment'),
  RejectProposal: text('comment'),
  AcceptOption: null,
  RejectOptions: text('reason'),
  EscalateCase: text('reason'),
  AcknowledgeEscalation: null,
  EvaluateSla: null,
  ExecuteResolution: text('summary'),
  NotifyCustomer: text('summary'),
  WaitOnCustomer: text('reason'),
  ResumeCase: null,
  ScheduleFollowUp: null,
  RecordSatisfaction: text('comment'),
  CloseCase: null,
  ReopenCase: text('reason'),
  ReassignCase: text('reason'),
  RequestExtension: text('reason', 'customerExplanation'),
  DecideExtension: text('comment'),
};

/** Whether the command carries free text to seal (the others need no key). */
export const hasFreeText = (command: CaseCommand): boolean => FREE_TEXT[command.type] !== null;

/**
 * The command with its free text sealed. Blank text stays as it is: it says nothing of anyone, and
 * the domain can still tell a missing reason from a given one.
 */
export function sealFreeText(command: CaseCommand, seal: Seal): CaseCommand {
  const sealData = FREE_TEXT[command.type] as SealData<CaseCommandType> | null;
  if (!sealData) return command;
  const sealText: Seal = (plain) => (plain.trim() === '' ? plain : seal(plain));
  return { ...command, data: sealData(command.data, sealText) } as CaseCommand;
}
