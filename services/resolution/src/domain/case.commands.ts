/** What agents, supervisors, customers (through agents) and the system ask of a case. */
import type { ContactChannel } from '@complaints/contracts';
import type { ResolutionOption } from './case';
import type { Priority } from './case';
import type { GrantedWaiver } from './policy-limits';
import type { DirectoryInForce } from './escalation';
import type { AmountLimits } from './authority';
import type { DepartmentDirectory } from './departments';
import type { WorkingCalendar } from '@complaints/sla';
import type { SlaPolicy } from '@complaints/sla';

type Cmd<T extends string, D> = { type: T; data: D & { caseId: string } };

export type CaseCommand =
  | Cmd<
      'OpenCase',
      {
        complaintId: string;
        reference: string;
        customerId?: string;
        /** The complainant's data subject: its key seals what is written on the case. */
        subjectId?: string;
        department: string;
        queue: string;
        category: string;
        priority: Priority;
        receivedAt?: string;
        /** The closed case this one continues, when opened after its reopen window. */
        linkedCaseId?: string;
        /** Selected by the handler for the tenant, category, priority, channel and regime. */
        policy: SlaPolicy;
        calendar: WorkingCalendar;
      }
    >
  | Cmd<'AcknowledgeCase', { channel: ContactChannel; summary: string }>
  | Cmd<'RecordInvestigation', { findings: string; evidenceRefs: string[] }>
  | Cmd<'AssignAccountability', { cause: string; responsibleDepartment: string; responsibleStaff?: string }>
  | Cmd<'JudgeValidity', { valid: boolean; reason?: string }>
  | Cmd<
      'ProposeResolution',
      {
        proposalId: string;
        options: ResolutionOption[];
        feeWaiversGranted: GrantedWaiver[];
        /** The tenant's amount limits in force. */
        limits: AmountLimits;
      }
    >
  | Cmd<'ApproveProposal', { proposalId: string; comment: string }>
  | Cmd<'RejectProposal', { proposalId: string; comment: string }>
  | Cmd<'AcceptOption', { optionId: string }>
  | Cmd<'RejectOptions', { reason: string; directory?: DirectoryInForce }>
  | Cmd<'EscalateCase', { reason: string; directory?: DirectoryInForce }>
  | Cmd<'AcknowledgeEscalation', { level: number }>
  /** The SLA monitor's look at the case: record warnings, breaches and ladder steps due by now. */
  | Cmd<'EvaluateSla', { calendar: WorkingCalendar; directory: DirectoryInForce }>
  | Cmd<'ExecuteResolution', { summary: string; feeWaiversGranted: GrantedWaiver[] }>
  | Cmd<
      'NotifyCustomer',
      { channel: ContactChannel; purpose: 'progress' | 'result' | 'explanation' | 'other'; summary: string }
    >
  | Cmd<'WaitOnCustomer', { reason: string }>
  | Cmd<'ResumeCase', Record<never, never>>
  /** The calendar the case's follow-up clock counts in: its due date is the follow-up's. */
  | Cmd<'ScheduleFollowUp', { dueAt?: string; calendar: WorkingCalendar }>
  | Cmd<'RecordSatisfaction', { score: number; comment?: string }>
  | Cmd<'CloseCase', { rootCause: string; improvementAction: string }>
  /** `followOnCaseId` is used only when the reopen window has passed. */
  | Cmd<'ReopenCase', { reason: string; followOnCaseId: string }>
  /** `directory`: the tenant's departments, the only ones a case can move to. */
  | Cmd<
      'ReassignCase',
      {
        department: string;
        agentId?: string;
        /** What a reroute says the case is about now (routing's complaint.rerouted.v1). */
        category?: string;
        priority?: Priority;
        reason: string;
        directory: DepartmentDirectory;
      }
    >
  | Cmd<'RequestExtension', { extensionId: string; clock: string; reason: string; customerExplanation: string }>
  | Cmd<'DecideExtension', { extensionId: string; approved: boolean; comment: string }>;

export type CaseCommandType = CaseCommand['type'];
export type CommandOf<T extends CaseCommandType> = Extract<CaseCommand, { type: T }>;
