/**
 * The shape of a tenant's rule table. The tables themselves are policy data (the `routing-rules`
 * kind, seeded from services/routing/rules/*.json), loaded and validated outside the domain and
 * passed into `classify` / `decide`, so a desk can change where complaints go without a release.
 */
import { PRIORITY_ORDER, type Priority, type RuleTableDocument } from '@complaints/routing-data';

// The vocabularies and the table's parts are the `routing-rules` policy document's (libs/routing-data).
export {
  CONTENT_CATEGORIES,
  DEGREES,
  PRIORITY_ORDER,
  type ContentCategory,
  type Degree,
  type DegreeRule,
  type FieldConditions,
  type Priority,
  type PriorityRaiser,
  type RoutingRule,
} from '@complaints/routing-data';

/** A tenant's table in force: its document and where it came from (the files, or the version), for the explanation. */
export interface RuleTable extends RuleTableDocument {
  /** The file(s) the table came from (the seed), or `routing-rules vN`. */
  source: string;
}

export const TRIAGE = {
  department: 'triage',
  queue: 'triage',
  category: 'unclassified',
  priority: 'normal' as Priority,
};

export const rankOf = (priority: Priority): number => PRIORITY_ORDER.indexOf(priority);
export const higher = (a: Priority, b: Priority): Priority => (rankOf(a) >= rankOf(b) ? a : b);
