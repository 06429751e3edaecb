/**
 * The decisions about someone's work that the audit log records and the author is told of,
 * by action name (`case_study.publish`, `post.hide`…). Pages use it to pick a translated label.
 * Isomorphic.
 */
import { TRANSITION_ACTIONS } from '../case-studies/lifecycle';

export const DECISIONS: readonly string[] = [
  ...TRANSITION_ACTIONS.map((action) => `case_study.${action}`),
  'case_study.feature',
  'case_study.unfeature',
  'post.hide',
  'post.restore',
];
