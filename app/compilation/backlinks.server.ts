/**
 * Where contributions went (issue 12): for each post or case study, the key points that reflect
 * it ("reflected in key point 3 of question 1") and the synthesis notes that cite it ("cited in
 * the synthesis note of question 1"), each with its link, and only those the viewer may read:
 * a compilation by access.ts `mayReadCompilation` (staff always, participants from `synthesis`),
 * a note by app/notes/access.ts `mayReadNote` (everyone signed in; group notes included).
 *
 * A backlink names its target alone (a key point's number and question, a note's scope or
 * title), never anything of the contribution's author: a Chatham House post's backlinks are the
 * same whoever wrote it. A key point's number is its place in the question's live list now; a
 * clip moved by a merge already belongs to the survivor, so it points there.
 *
 * One query for the whole page (every post shown, or one case study), whatever their number.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { citationKey, type CitationRef } from '../contributions/refs';
import type { ContributionViewer } from '../contributions/visibility';
import { mayReadNote } from '../notes/access';
import { mayReadCompilation } from './access';
import { keyPointHref, noteHref } from './links';

export type Backlink =
  | {
      kind: 'key_point';
      keyPointId: number;
      /** 1…n: its place in the question's live list. */
      position: number;
      /** The question's number ("1"). */
      question: string;
      href: string;
    }
  | {
      kind: 'note';
      noteId: number;
      /** `question`: the synthesis note of a question; `consultation`: of the whole consultation; `titled`: a note drafted by one stakeholder group, named by its title. */
      scope: 'question' | 'consultation' | 'titled';
      question: string | null;
      title: string;
      href: string;
    };

/** Most refs looked up in one query (a thread page shows far fewer). */
const MAX_REFS = 1000;

/**
 * The backlinks of `refs` that `viewer` may follow, by `citationKey` (`post:17`); a ref with
 * none is absent. Key points first (by question, then position), then notes (the whole
 * consultation's, then by question).
 */
export async function backlinksOf(db: Kysely<Database>, viewer: ContributionViewer, refs: readonly CitationRef[]): Promise<Record<string, Backlink[]>> {
  const out: Record<string, Backlink[]> = {};
  const wanted = refs.slice(0, MAX_REFS);
  if (wanted.length === 0 || !viewer.userId) return out;
  const consultation = await db.selectFrom('consultations').select(['slug', 'phase']).where('id', '=', viewer.consultationId).executeTakeFirst();
  if (!consultation || consultation.phase === 'draft') return out;
  const keyPoints = viewer.role !== null && mayReadCompilation(viewer.role, consultation.phase);
  const notes = mayReadNote(viewer);
  if (!keyPoints && !notes) return out;

  const ids = (kind: CitationRef['kind']) => [...new Set(wanted.filter((r) => r.kind === kind).map((r) => r.id))];
  const postIds = ids('post');
  const studyIds = ids('case_study');
  const cited = (kindColumn: string, idColumn: string) => {
    const parts = [];
    if (postIds.length) parts.push(sql`(${sql.ref(kindColumn)} = 'post' and ${sql.ref(idColumn)} in (${sql.join(postIds)}))`);
    if (studyIds.length) parts.push(sql`(${sql.ref(kindColumn)} = 'case_study' and ${sql.ref(idColumn)} in (${sql.join(studyIds)}))`);
    return sql`(${sql.join(parts, sql` or `)})`;
  };
  const branches = [];
  if (keyPoints) {
    branches.push(sql`select distinct 'key_point' as target, c.source_kind, c.source_id, kp.id as target_id, kp.position, q.number as question, q.position as question_position,
        cast(null as text) as title, cast(null as text) as stakeholder_group
      from clips c join key_points kp on kp.id = c.key_point_id join questions q on q.id = kp.question_id
      where kp.consultation_id = ${viewer.consultationId} and kp.merged_into_id is null and ${cited('c.source_kind', 'c.source_id')}`);
  }
  if (notes) {
    branches.push(sql`select 'note' as target, nc.source_kind, nc.source_id, n.id as target_id, 0 as position, q.number as question, q.position as question_position,
        n.title, n.stakeholder_group
      from note_citations nc join notes n on n.id = nc.note_id left join questions q on q.id = n.question_id
      where n.consultation_id = ${viewer.consultationId} and ${cited('nc.source_kind', 'nc.source_id')}`);
  }
  const { rows } = await sql<{
    target: 'key_point' | 'note';
    sourceKind: CitationRef['kind'];
    sourceId: number;
    targetId: number;
    position: number;
    question: string | null;
    questionPosition: number | null;
    title: string | null;
    stakeholderGroup: string | null;
  }>`${sql.join(branches, sql` union all `)}`.execute(db);

  const order = (r: (typeof rows)[number]) => [r.target === 'key_point' ? 0 : 1, r.questionPosition === null ? -1 : Number(r.questionPosition), Number(r.position), Number(r.targetId)];
  rows.sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  for (const r of rows) {
    const key = citationKey({ kind: r.sourceKind, id: Number(r.sourceId) });
    const list = (out[key] ??= []);
    const targetId = Number(r.targetId);
    if (r.target === 'key_point') {
      list.push({ kind: 'key_point', keyPointId: targetId, position: Number(r.position), question: r.question!, href: keyPointHref(consultation.slug, r.question!, targetId) });
    } else {
      const scope = r.stakeholderGroup !== null ? 'titled' : r.question !== null ? 'question' : 'consultation';
      list.push({ kind: 'note', noteId: targetId, scope, question: r.question, title: r.title ?? '', href: noteHref(consultation.slug, targetId) });
    }
  }
  return out;
}
