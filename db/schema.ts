/**
 * Kysely schema types. Column names are camelCase here and snake_case in the database
 * (CamelCasePlugin). Timestamps are ISO-8601 UTC strings on both dialects so that the
 * same queries and comparisons work on SQLite and PostgreSQL (docs/decisions/0003).
 * Multilingual texts are JSON objects keyed by language code, stored as text.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Attribution } from '../app/contributions/attribution';
import type { CaseStudyStatus, PostStatus, Visibility } from '../app/contributions/statuses';
import type { Level, Stage, TagKind } from '../app/case-studies/vocabulary';
import type { FlagReason, FlagStatus, FlagSubject } from '../app/moderation/flags';
import type { NoteStatus } from '../app/notes/note-status';

// Domain vocabulary lives in the domain (docs/decisions/0014); re-exported for the database
// layer, migrations and services. Pages, components and the editor import it from the domain.
export { ATTRIBUTIONS, type Attribution } from '../app/contributions/attribution';
export { CASE_STUDY_STATUSES, POST_STATUSES, VISIBILITIES, type CaseStudyStatus, type PostStatus, type Visibility } from '../app/contributions/statuses';
export { LEVELS, STAGES, TAG_KINDS, type Level, type Stage, type TagKind } from '../app/case-studies/vocabulary';
export { FLAG_REASONS, FLAG_STATUSES, FLAG_SUBJECTS, type FlagReason, type FlagStatus, type FlagSubject } from '../app/moderation/flags';
export { NOTE_STATUSES, type NoteStatus } from '../app/notes/note-status';

export const PHASES = ['draft', 'open', 'compiling', 'synthesis', 'final'] as const;
export type Phase = (typeof PHASES)[number];

export const CONSULTATION_ROLES = ['participant', 'moderator', 'rapporteur'] as const;
export type ConsultationRole = (typeof CONSULTATION_ROLES)[number];

export const SITE_ROLES = ['member', 'admin'] as const;
export type SiteRole = (typeof SITE_ROLES)[number];

/** A JSON document stored as text. */
type JsonText = string;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  /** The name's look-alike key (app/text/name-key.server.ts), unique. */
  nameKey: string;
  organisation: string;
  stakeholderGroup: string;
  country: string;
  passwordHash: string;
  siteRole: ColumnType<SiteRole, SiteRole | undefined, SiteRole>;
  defaultAttribution: ColumnType<Attribution, Attribution | undefined, Attribution>;
  locale: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SessionsTable {
  id: string;
  userId: string;
  expiresAt: string;
}

export interface ConsultationsTable {
  id: Generated<number>;
  slug: string;
  phase: Phase;
  sourceLanguage: string;
  languages: JsonText;
  title: JsonText;
  forum: string;
  background: JsonText;
  themes: JsonText;
  stakeholderGroups: JsonText;
  sdgTargets: JsonText;
  keyFigures: JsonText;
  closesAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface QuestionsTable {
  id: Generated<number>;
  consultationId: number;
  number: string;
  position: number;
  text: JsonText;
  intro: JsonText;
}

export interface SubQuestionsTable {
  id: Generated<number>;
  questionId: number;
  number: string;
  position: number;
  text: JsonText;
}

export interface ThreadsTable {
  id: Generated<number>;
  consultationId: number;
  questionId: number;
  /** null for a question's general thread */
  subQuestionId: number | null;
  /** "2.4" for a sub-question's thread, "2" for question 2's general thread */
  number: string;
  createdAt: string;
  /** Bumped by every change to the thread's posts; posts.seq records it (catch-up cursor). */
  lastSeq: ColumnType<number, number | undefined, number>;
}

export interface PostsTable {
  id: Generated<number>;
  threadId: number;
  authorId: string;
  /** Chosen by the client; (authorId, clientId) is unique, which makes retried sends idempotent. */
  clientId: string;
  parentId: number | null;
  /** The top-level post of the conversation a reply belongs to (null for a top-level post). */
  rootId: number | null;
  attribution: Attribution;
  language: string;
  /** Canonical Lexical JSON, rebuilt by the server (app/posts/lexical.ts). */
  body: string;
  bodyText: string;
  bodyHtml: string;
  status: ColumnType<PostStatus, PostStatus | undefined, PostStatus>;
  hiddenReason: string | null;
  endorsementCount: ColumnType<number, number | undefined, number>;
  seq: number;
  createdAt: string;
  updatedAt: string;
  editedAt: string | null;
}

export interface PostEditsTable {
  id: Generated<number>;
  postId: number;
  body: string;
  bodyText: string;
  language: string;
  attribution: Attribution;
  replacedAt: string;
}

export interface EndorsementsTable {
  postId: number;
  userId: string;
  createdAt: string;
}

export interface ConsultationMembersTable {
  consultationId: number;
  userId: string;
  role: ConsultationRole;
  createdAt: string;
  updatedAt: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actorId: string | null;
  consultationId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  reason: string | null;
  details: JsonText;
}

export interface CaseStudiesTable {
  id: Generated<number>;
  consultationId: number;
  authorId: string;
  status: ColumnType<CaseStudyStatus, CaseStudyStatus | undefined, CaseStudyStatus>;
  visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  attribution: Attribution;
  language: string;
  title: string;
  summary: string;
  /** Canonical Lexical JSON, rebuilt by the server (app/posts/lexical.ts). */
  body: string;
  bodyText: string;
  bodyHtml: string;
  level: Level | null;
  stage: Stage | null;
  /** JSON: [{ name, group }] */
  partners: JsonText;
  /** JSON: [{ source, amount, currency }] */
  funding: JsonText;
  results: string;
  indicators: string;
  worked: string;
  didNotWork: string;
  contact: string;
  reviewNote: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  publishedAt: string | null;
}

export interface CaseStudyTagsTable {
  caseStudyId: number;
  kind: TagKind;
  value: string;
}

export interface FeaturedCaseStudiesTable {
  subQuestionId: number;
  caseStudyId: number;
  featuredBy: string | null;
  featuredAt: string;
}

export interface FlagsTable {
  id: Generated<number>;
  consultationId: number;
  subjectType: FlagSubject;
  subjectId: number;
  reporterId: string;
  reason: FlagReason;
  note: string;
  status: ColumnType<FlagStatus, FlagStatus | undefined, FlagStatus>;
  createdAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolution: string | null;
}

export interface NotificationsTable {
  id: Generated<number>;
  userId: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  details: JsonText;
  createdAt: string;
  readAt: string | null;
}

export interface NotesTable {
  id: Generated<number>;
  consultationId: number;
  /** null: the note of the whole consultation */
  questionId: number | null;
  /** null: every stakeholder group drafts it */
  stakeholderGroup: string | null;
  title: string;
  status: ColumnType<NoteStatus, NoteStatus | undefined, NoteStatus>;
  /** Derived from the Yjs document (headless Lexical): Lexical JSON, plain text, safe HTML. */
  content: ColumnType<string, string | undefined, string>;
  text: ColumnType<string, string | undefined, string>;
  html: ColumnType<string, string | undefined, string>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  statusChangedBy: string | null;
  statusChangedAt: string | null;
}

export interface NoteUpdatesTable {
  id: Generated<number>;
  noteId: number;
  data: Uint8Array;
  createdAt: string;
}

export interface NoteSnapshotsTable {
  noteId: number;
  data: Uint8Array;
  lastUpdateId: number;
  createdAt: string;
}

export interface NoteVersionsTable {
  id: Generated<number>;
  noteId: number;
  name: string;
  data: Uint8Array;
  content: string;
  text: string;
  createdBy: string | null;
  createdAt: string;
}

/** A creation form's key and what it answered (app/utils/forms.server.ts). */
export interface FormSubmissionsTable {
  key: string;
  userId: string;
  /** JSON (`{ "location": … }`), or null while the first submission runs. */
  result: string | null;
  createdAt: string;
}

export const STANCES = ['supports', 'qualifies', 'disagrees'] as const;
export type Stance = (typeof STANCES)[number];
export const SOURCE_KINDS = ['post', 'case_study'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
/** The plain-text fields a clip may quote: a post's body; a case study's text fields. */
export const CASE_STUDY_CLIP_FIELDS = ['title', 'summary', 'body', 'results', 'indicators', 'worked', 'didNotWork'] as const;
export type SourceField = 'body' | (typeof CASE_STUDY_CLIP_FIELDS)[number];

/** A key point of a question's compilation (migration 009). */
export interface KeyPointsTable {
  id: Generated<number>;
  consultationId: number;
  /** A question (not a sub-question). */
  questionId: number;
  heading: string;
  summary: ColumnType<string, string | undefined, string>;
  /** 1…n among the question's live key points; a merged one keeps its last, unused. */
  position: number;
  language: string;
  authorId: string | null;
  /** The creator's retry key: (authorId, clientId) is unique. */
  clientId: string | null;
  createdAt: string;
  updatedAt: string;
  /** The survivor this point was merged into; null while live. */
  mergedIntoId: ColumnType<number | null, number | null | undefined, number | null>;
}

/**
 * Words of a contribution quoted by a key point. Offsets are UTF-16 code units into the field's
 * plain text (a post's body_text, a case study's column named by sourceField), end exclusive.
 */
export interface ClipsTable {
  id: Generated<number>;
  keyPointId: number;
  sourceKind: SourceKind;
  sourceId: number;
  sourceField: SourceField;
  startOffset: number;
  endOffset: number;
  quote: string;
  /** SHA-256 of the quote's UTF-8 bytes, lower-case hex. */
  quoteSha256: string;
  stance: ColumnType<Stance, Stance | undefined, Stance>;
  clippedBy: string | null;
  clippedAt: string;
  clientId: string | null;
  /** The key point it was clipped into, when a merge moved it. */
  movedFromId: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface KeyPointMergesTable {
  id: Generated<number>;
  survivorId: number;
  mergedId: number;
  clipsMoved: number;
  mergedBy: string | null;
  mergedAt: string;
}

/** What a note cites, one row per contribution, kept in step with the note's derived content. */
export interface NoteCitationsTable {
  noteId: number;
  sourceKind: SourceKind;
  sourceId: number;
  /** When the note first cited it (migration 010; ISO-8601 UTC), kept across rewrites. Null: not known. */
  createdAt: ColumnType<string | null, string | undefined, never>;
}

/** Secrets shared by the nodes (migration 011): `bus` signs their messages on Redis (server/cluster/). */
export interface ClusterKeysTable {
  name: string;
  secret: string;
  createdAt: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  consultations: ConsultationsTable;
  questions: QuestionsTable;
  subQuestions: SubQuestionsTable;
  threads: ThreadsTable;
  consultationMembers: ConsultationMembersTable;
  auditLog: AuditLogTable;
  posts: PostsTable;
  postEdits: PostEditsTable;
  endorsements: EndorsementsTable;
  caseStudies: CaseStudiesTable;
  caseStudyTags: CaseStudyTagsTable;
  featuredCaseStudies: FeaturedCaseStudiesTable;
  flags: FlagsTable;
  notifications: NotificationsTable;
  notes: NotesTable;
  noteUpdates: NoteUpdatesTable;
  noteSnapshots: NoteSnapshotsTable;
  noteVersions: NoteVersionsTable;
  formSubmissions: FormSubmissionsTable;
  keyPoints: KeyPointsTable;
  clips: ClipsTable;
  keyPointMerges: KeyPointMergesTable;
  noteCitations: NoteCitationsTable;
  clusterKeys: ClusterKeysTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ConsultationRow = Selectable<ConsultationsTable>;
export type QuestionRow = Selectable<QuestionsTable>;
export type SubQuestionRow = Selectable<SubQuestionsTable>;
export type ThreadRow = Selectable<ThreadsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type PostRow = Selectable<PostsTable>;
export type CaseStudyRow = Selectable<CaseStudiesTable>;
export type FlagRow = Selectable<FlagsTable>;
export type NoteRow = Selectable<NotesTable>;
export type KeyPointRow = Selectable<KeyPointsTable>;
export type ClipRow = Selectable<ClipsTable>;
