/**
 * What leaves the server about a case study, per audience (isomorphic types). The author is
 * reduced to what the chosen attribution allows (`authorAs`, as for posts); the contact,
 * which could name the author, is withheld from others under the Chatham House rule.
 */
import type { Attribution, AuthorRecord, PublicAuthor } from '../contributions/attribution';
import type { CaseStudyStatus, Visibility } from '../contributions/statuses';
import type { Level, Stage } from './vocabulary';

export interface Partner {
  name: string;
  group: string;
}

export interface Funding {
  source: string;
  amount?: number;
  currency?: string;
}

export interface CaseStudyView {
  id: number;
  consultationId: number;
  status: CaseStudyStatus;
  visibility: Visibility;
  title: string;
  summary: string;
  /** Safe HTML rendered by the server from its canonical document. */
  html: string;
  language: string;
  level: Level | null;
  stage: Stage | null;
  partners: Partner[];
  funding: Funding[];
  results: string;
  indicators: string;
  worked: string;
  didNotWork: string;
  /** null when withheld from this reader. */
  contact: string | null;
  themes: string[];
  sdgTargets: string[];
  origin: string[];
  destination: string[];
  implementation: string[];
  /** Sub-question ids. */
  subQuestions: number[];
  /** Sub-question ids on which a moderator features it. */
  featuredOn: number[];
  author: PublicAuthor;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  publishedAt: string | null;
  /** The author and moderators: the moderator's latest note. */
  reviewNote?: string | null;
  /** Moderators only. */
  realAuthor?: AuthorRecord;
  /** The author only: what the edit form needs. */
  mine?: boolean;
  body?: string;
  attribution?: Attribution;
}

/** A line of a catalogue or a list: enough to choose what to open. */
export type CaseStudySummary = Pick<
  CaseStudyView,
  | 'id'
  | 'status'
  | 'visibility'
  | 'title'
  | 'summary'
  | 'level'
  | 'themes'
  | 'implementation'
  | 'author'
  | 'publishedAt'
  | 'updatedAt'
  | 'featuredOn'
  | 'realAuthor'
  | 'mine'
>;
