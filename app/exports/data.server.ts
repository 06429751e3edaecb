/**
 * The tabular exports (issue 13): a question's contributions and the case-study catalogue, as
 * columns and rows for CSV (render/csv.ts) and as records for JSON. Read through
 * app/contributions/ only (docs/decisions/0014): which rows come out is its rule, and every
 * author is `authorAs`'s public author, for every viewer, moderators included: an export leaves
 * the platform, so it never carries who really wrote a Chatham House contribution (`realAuthor`
 * is never read here), nor a user id, nor a country (not part of the public author).
 *
 * Rows, for the viewer these functions are given (who may ASK for an export is the caller's
 * business):
 * - a question's contributions: the posts of its threads (sub-questions and general thread)
 *   that are sources for the viewer (visible ones), and for moderators, who may read hidden text
 *   (visibility.ts `moderates`, `mayReadPost`), hidden ones too with status `hidden`. Deleted
 *   posts never appear. A post's author reading their own hidden post does not widen it.
 * - the catalogue: the case studies that are sources for the viewer (filters.server.ts
 *   `sourceCaseStudies`): published ones, restricted ones for reviewers only, marked in the
 *   `visibility` column.
 * As in `readSources`, nothing of a consultation still in draft, except to its admins.
 *
 * `restricted` says the export holds what only staff may read (a hidden post, a restricted case
 * study): the caller marks the file or refuses to share it. Texts are plain text; times
 * ISO-8601 UTC; headers localized (`exports.columns.*`) in `language`, which also picks the
 * texts shown (sub-questions, groups, themes, countries), falling back to the consultation's
 * source language.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { countryName } from '../accounts/countries.server';
import type { Funding, Partner } from '../case-studies/case-study-view';
import { createConsultationService, type Question } from '../consultations/consultations.server';
import type { Labelled, Language } from '../consultations/content.schema';
import { groupLabels, localize } from '../consultations/localize';
import type { PublicAuthor } from '../contributions/attribution';
import { readablePosts, sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { citationMarker } from '../contributions/refs';
import { caseStudySource, postSource, selectCaseStudySources, selectPostSources, type AvailableCaseStudySource, type PostDetails } from '../contributions/sources.server';
import { moderates, type ContributionViewer } from '../contributions/visibility';
import { i18nFor } from '../i18n/i18n.server';
import { DomainError } from '../utils/errors';
import type { DataCell, DataColumn } from './render/csv';

/** What a tabular export hands to the CSV and JSON renderers. */
export interface DataExport<R> {
  columns: DataColumn[];
  /** One per record, keyed by `columns[].key`: CSV cells. */
  rows: Record<string, DataCell>[];
  /** The same records with their structure (nested author, lists): the JSON export. */
  records: R[];
  /** Holds items only staff may read (hidden posts, restricted case studies). */
  restricted: boolean;
}

export interface ContributionRecord {
  marker: string;
  id: number;
  thread: string;
  /** null: the question's general thread. */
  subQuestion: { number: string; text: string } | null;
  /** The marker of the post it replies to. */
  parent: string | null;
  createdAt: string;
  editedAt: string | null;
  language: string;
  stakeholderGroup: { id: string; label: string };
  author: PublicAuthor;
  endorsements: number;
  body: string;
  status: 'visible' | 'hidden';
  url: string;
}

export interface CaseStudyRecord {
  marker: string;
  id: number;
  title: string;
  summary: string;
  description: string;
  language: string;
  stakeholderGroup: { id: string; label: string };
  author: PublicAuthor;
  partners: { name: string; group: { id: string; label: string } }[];
  countries: Record<'origin' | 'destination' | 'implementation', { code: string; name: string }[]>;
  level: { id: string; label: string } | null;
  themes: { id: string; label: string }[];
  sdgTargets: { id: string; label: string }[];
  stage: { id: string; label: string } | null;
  funding: Funding[];
  results: string;
  indicators: string;
  worked: string;
  didNotWork: string;
  subQuestions: string[];
  publishedAt: string | null;
  visibility: 'public' | 'restricted';
  url: string;
}

/** Most ids per `in (…)` list (as in sources.server.ts). */
const CHUNK = 1000;
/** Separates the values of a list in one CSV cell. */
const LIST = '; ';

const CONTRIBUTION_COLUMNS = [
  'marker',
  'id',
  'thread',
  'subQuestion',
  'parent',
  'createdAt',
  'editedAt',
  'language',
  'groupId',
  'group',
  'attribution',
  'authorName',
  'authorOrganisation',
  'endorsements',
  'body',
  'status',
  'url',
] as const;

const CASE_STUDY_COLUMNS = [
  'marker',
  'id',
  'title',
  'summary',
  'description',
  'language',
  'groupId',
  'group',
  'attribution',
  'authorName',
  'authorOrganisation',
  'partners',
  'origin',
  'originNames',
  'destination',
  'destinationNames',
  'implementation',
  'implementationNames',
  'level',
  'themes',
  'sdgTargets',
  'stage',
  'funding',
  'results',
  'indicators',
  'worked',
  'didNotWork',
  'subQuestions',
  'publishedAt',
  'visibility',
  'url',
] as const;

function columnsOf(keys: readonly string[], language: Language): DataColumn[] {
  const { t } = i18nFor(language);
  return keys.map((key) => ({ key, header: t(`exports.columns.${key}`) }));
}

interface ConsultationFrame {
  slug: string;
  sourceLanguage: Language;
  /** Nothing is a source in a draft consultation, except to its admins (as in `readSources`). */
  closed: boolean;
  groups: Record<string, string>;
  themes: Labelled[];
  sdgTargets: Labelled[];
}

async function frameOf(db: Kysely<Database>, viewer: ContributionViewer, consultationId: number, language: Language): Promise<ConsultationFrame> {
  // The filters keep to the viewer's consultation: a viewer of another one would get nothing, silently.
  if (viewer.consultationId !== consultationId) throw new Error(`The viewer is in consultation ${viewer.consultationId}, not ${consultationId}`);
  const row = await db
    .selectFrom('consultations')
    .select(['slug', 'phase', 'sourceLanguage', 'title', 'stakeholderGroups', 'themes', 'sdgTargets'])
    .where('id', '=', consultationId)
    .executeTakeFirst();
  if (!row) throw new DomainError('not_found', 'errors.notFoundTitle');
  const sourceLanguage = row.sourceLanguage as Language;
  const stakeholderGroups = JSON.parse(row.stakeholderGroups) as Labelled[];
  return {
    slug: row.slug,
    sourceLanguage,
    closed: row.phase === 'draft' && viewer.role !== 'admin',
    groups: groupLabels({ title: JSON.parse(row.title), sourceLanguage, stakeholderGroups }, language),
    themes: JSON.parse(row.themes) as Labelled[],
    sdgTargets: JSON.parse(row.sdgTargets) as Labelled[],
  };
}

const labelled = (list: Labelled[], id: string, language: Language, source: Language) => {
  const found = list.find((x) => x.id === id);
  return { id, label: (found && localize(found, language, source)?.text) || id };
};

/** The author's cells: a name and an organisation only where the attribution shows them. */
function authorCells(author: PublicAuthor): Record<string, DataCell> {
  return {
    attribution: author.attribution,
    authorName: author.attribution === 'named' ? author.name : null,
    authorOrganisation: author.attribution === 'chatham' ? null : author.organisation,
  };
}

/**
 * Every post of question `questionNumber`'s threads that `viewer` may have as a source (and
 * hidden ones for moderators), thread by thread in the question's order (its sub-questions,
 * then its general thread), oldest first.
 */
export async function questionContributions(
  db: Kysely<Database>,
  viewer: ContributionViewer,
  consultationId: number,
  questionNumber: string,
  language: Language,
): Promise<DataExport<ContributionRecord>> {
  const frame = await frameOf(db, viewer, consultationId, language);
  const question: Question | null = await createConsultationService(db).getQuestion(consultationId, questionNumber);
  if (!question) throw new DomainError('not_found', 'compilation.questionNotFound');
  const columns = columnsOf(CONTRIBUTION_COLUMNS, language);
  if (frame.closed) return { columns, rows: [], records: [], restricted: false };

  // Moderators read hidden text (visibility.ts); everyone else gets sources: visible posts.
  const staff = moderates(viewer);
  const rows = await selectPostSources(db)
    .select(['posts.parentId', 'posts.endorsementCount'])
    .where(staff ? readablePosts(viewer) : sourcePosts(viewer))
    .where('threads.questionId', '=', question.id)
    .orderBy('posts.createdAt')
    .orderBy('posts.id')
    .execute();

  const subQuestions = new Map(question.subQuestions.map((s, position) => [s.id, { position, number: s.number, text: localize(s.text, language, frame.sourceLanguage)?.text ?? '' }]));
  const order = (subQuestionId: number | null) => (subQuestionId === null ? subQuestions.size : (subQuestions.get(subQuestionId)?.position ?? subQuestions.size));

  const records: ContributionRecord[] = [];
  for (const row of [...rows].sort((a, b) => order(a.subQuestionId) - order(b.subQuestionId))) {
    const source = postSource(row, viewer, frame.slug, { readable: staff });
    // Available: a visible post. Unavailable with details: a hidden post a moderator may read.
    const details: PostDetails | null =
      source.state === 'available' ? (source.kind === 'post' ? source : null) : source.readable?.kind === 'post' ? source.readable : null;
    if (!details || (details.status !== 'visible' && details.status !== 'hidden')) continue;
    const sub = details.subQuestionId === null ? null : (subQuestions.get(details.subQuestionId) ?? null);
    records.push({
      marker: citationMarker('post', row.id),
      id: row.id,
      thread: details.thread,
      subQuestion: sub && { number: sub.number, text: sub.text },
      parent: row.parentId === null ? null : citationMarker('post', row.parentId),
      createdAt: details.createdAt,
      editedAt: row.editedAt,
      language: details.language,
      stakeholderGroup: { id: details.stakeholderGroup, label: frame.groups[details.stakeholderGroup] ?? details.stakeholderGroup },
      author: details.author,
      endorsements: row.endorsementCount,
      body: details.fields.body,
      status: details.status,
      url: details.href,
    });
  }

  return {
    columns,
    rows: records.map((r) => ({
      marker: r.marker,
      id: r.id,
      thread: r.thread,
      subQuestion: r.subQuestion?.text ?? null,
      parent: r.parent,
      createdAt: r.createdAt,
      editedAt: r.editedAt,
      language: r.language,
      groupId: r.stakeholderGroup.id,
      group: r.stakeholderGroup.label,
      ...authorCells(r.author),
      endorsements: r.endorsements,
      body: r.body,
      status: r.status,
      url: r.url,
    })),
    records,
    restricted: records.some((r) => r.status === 'hidden'),
  };
}

type Tags = Record<'theme' | 'sdg' | 'origin' | 'destination' | 'implementation' | 'subQuestion', string[]>;

async function tagsOf(db: Kysely<Database>, ids: number[]): Promise<Map<number, Tags>> {
  const out = new Map<number, Tags>(ids.map((id) => [id, { theme: [], sdg: [], origin: [], destination: [], implementation: [], subQuestion: [] }]));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('caseStudyTags').select(['caseStudyId', 'kind', 'value']).where('caseStudyId', 'in', ids.slice(i, i + CHUNK)).orderBy('value').execute();
    for (const r of rows) {
      const tags = out.get(r.caseStudyId);
      if (tags && r.kind in tags) tags[r.kind as keyof Tags].push(r.value);
    }
  }
  return out;
}

/**
 * The case studies `viewer` may have as sources (published; restricted ones for reviewers),
 * oldest publication first.
 */
export async function caseStudyCatalogue(
  db: Kysely<Database>,
  viewer: ContributionViewer,
  consultationId: number,
  language: Language,
): Promise<DataExport<CaseStudyRecord>> {
  const frame = await frameOf(db, viewer, consultationId, language);
  const columns = columnsOf(CASE_STUDY_COLUMNS, language);
  if (frame.closed) return { columns, rows: [], records: [], restricted: false };
  const { t } = i18nFor(language);

  const rows = await selectCaseStudySources(db)
    .select(['caseStudies.level', 'caseStudies.stage', 'caseStudies.partners', 'caseStudies.funding', 'caseStudies.publishedAt'])
    .where(sourceCaseStudies(viewer))
    .orderBy('caseStudies.publishedAt')
    .orderBy('caseStudies.id')
    .execute();
  const tags = await tagsOf(db, rows.map((r) => r.id));
  const questions = await createConsultationService(db).listQuestions(consultationId);
  const subQuestionNumbers = new Map(questions.flatMap((q) => q.subQuestions.map((s) => [s.id, s.number] as const)));

  const records: CaseStudyRecord[] = [];
  for (const row of rows) {
    const tagged = tags.get(row.id)!;
    const subQuestionIds = tagged.subQuestion.map(Number).sort((a, b) => a - b);
    const source = caseStudySource(row, viewer, frame.slug, subQuestionIds);
    if (source.state !== 'available' || source.kind !== 'case_study') continue;
    const study: AvailableCaseStudySource = source;
    const countries = (codes: string[]) => codes.map((code) => ({ code, name: countryName(code, language) }));
    records.push({
      marker: study.marker,
      id: study.id,
      title: study.fields.title,
      summary: study.fields.summary,
      description: study.fields.body,
      language: study.language,
      stakeholderGroup: { id: study.stakeholderGroup, label: frame.groups[study.stakeholderGroup] ?? study.stakeholderGroup },
      author: study.author,
      partners: (JSON.parse(row.partners) as Partner[]).map((p) => ({ name: p.name, group: { id: p.group, label: frame.groups[p.group] ?? p.group } })),
      countries: { origin: countries(tagged.origin), destination: countries(tagged.destination), implementation: countries(tagged.implementation) },
      level: row.level && { id: row.level, label: t(`caseStudies.levels.${row.level}`) },
      themes: tagged.theme.map((id) => labelled(frame.themes, id, language, frame.sourceLanguage)),
      sdgTargets: tagged.sdg.map((id) => labelled(frame.sdgTargets, id, language, frame.sourceLanguage)),
      stage: row.stage && { id: row.stage, label: t(`caseStudies.stages.${row.stage}`) },
      funding: JSON.parse(row.funding) as Funding[],
      results: study.fields.results,
      indicators: study.fields.indicators,
      worked: study.fields.worked,
      didNotWork: study.fields.didNotWork,
      subQuestions: study.subQuestionIds.map((id) => subQuestionNumbers.get(id)).filter((n): n is string => !!n),
      publishedAt: row.publishedAt,
      visibility: study.visibility,
      url: study.href,
    });
  }

  const names = (list: { code: string; name: string }[]) => list.map((c) => c.name).join(LIST);
  const codes = (list: { code: string; name: string }[]) => list.map((c) => c.code).join(LIST);
  const fundingText = (f: Funding) => [f.source, f.amount === undefined ? '' : String(f.amount), f.currency ?? ''].filter(Boolean).join(' ');
  return {
    columns,
    rows: records.map((r) => ({
      marker: r.marker,
      id: r.id,
      title: r.title,
      summary: r.summary,
      description: r.description,
      language: r.language,
      groupId: r.stakeholderGroup.id,
      group: r.stakeholderGroup.label,
      ...authorCells(r.author),
      partners: r.partners.map((p) => `${p.name} (${p.group.label})`).join(LIST),
      origin: codes(r.countries.origin),
      originNames: names(r.countries.origin),
      destination: codes(r.countries.destination),
      destinationNames: names(r.countries.destination),
      implementation: codes(r.countries.implementation),
      implementationNames: names(r.countries.implementation),
      level: r.level?.label ?? null,
      themes: r.themes.map((x) => x.label).join(LIST),
      sdgTargets: r.sdgTargets.map((x) => x.id).join(LIST),
      stage: r.stage?.label ?? null,
      funding: r.funding.map(fundingText).join(LIST),
      results: r.results,
      indicators: r.indicators,
      worked: r.worked,
      didNotWork: r.didNotWork,
      subQuestions: r.subQuestions.join(LIST),
      publishedAt: r.publishedAt,
      visibility: r.visibility,
      url: r.url,
    })),
    records,
    restricted: records.some((r) => r.visibility === 'restricted'),
  };
}
