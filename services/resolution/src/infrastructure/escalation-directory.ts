/**
 * The `escalation-directory` policy kind (docs/policy.md): named people or teams with contact
 * points, per department and ladder role, `*` for every department without its own entry. The seed
 * is DEFAULT_DIRECTORY's role placeholders. Checked as strictly as a start-up file: a bad entry
 * names its field.
 */
import { z } from 'zod';
import { problemsOf, type PolicyKind } from '@complaints/policy';
import {
  CONTACT_CHANNELS,
  LADDER_ROLES,
  seedDirectoryDocument,
  type EscalationDirectoryDocument,
} from '../domain/escalation';

const E164 = /^\+[1-9]\d{6,14}$/;

const contact = z
  .object({ channel: z.enum(CONTACT_CHANNELS), address: z.string().min(1) })
  .strict()
  .superRefine(({ channel, address }, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['address'], message });
    if (channel === 'email' && !z.string().email().safeParse(address).success) bad('must be an email address');
    if ((channel === 'phone' || channel === 'sms') && !E164.test(address)) bad('must be an E.164 number (+8610…)');
    if (channel === 'webhook' && !/^https:\/\/[^\s]+$/.test(address)) bad('must be an https URL');
  });

const escalatee = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    type: z.enum(['person', 'team']),
    contacts: z.array(contact),
  })
  .strict()
  .superRefine(({ type, contacts }, ctx) => {
    if (type === 'person' && contacts.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['contacts'], message: 'a person needs at least one contact point' });
    }
  });

const people = z
  .array(escalatee)
  .min(1)
  .superRefine((list, ctx) => {
    list.forEach((p, i) => {
      if (list.findIndex((q) => q.id === p.id) !== i) {
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${p.id} is named twice` });
      }
    });
  });

const roles = z.object(Object.fromEntries(LADDER_ROLES.map((r) => [r, people])) as Record<string, typeof people>);

const directoryDocument = z
  .object({
    $comment: z.string().optional(),
    departments: z.record(z.string().min(1), roles.partial().strict()),
  })
  .strict()
  .superRefine(({ departments }, ctx) => {
    const fallback = departments['*'];
    for (const role of LADDER_ROLES) {
      if (!fallback?.[role]) {
        ctx.addIssue({
          code: 'custom',
          path: ['departments', '*', role],
          message: 'the fallback department (*) must name who each ladder role reaches',
        });
      }
    }
  });

export const escalationDirectoryKind: PolicyKind<EscalationDirectoryDocument> = {
  name: 'escalation-directory',
  validate: (document) => {
    const parsed = directoryDocument.safeParse(document);
    return parsed.success ? [] : problemsOf(parsed.error.issues);
  },
  seed: () => ({ document: seedDirectoryDocument(), source: 'DEFAULT_DIRECTORY' }),
};
