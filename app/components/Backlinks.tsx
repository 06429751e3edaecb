/**
 * Where a contribution went (app/compilation/backlinks.server.ts): "Reflected in key point 3 of
 * question 1", "Cited in the synthesis note of question 1", each a link. The server sends only
 * what the reader may follow; nothing here is about the contribution's author. Plain anchors,
 * as the posts' other links (a router Link per post costs render time on long threads).
 */
import { useTranslation } from 'react-i18next';
import type { Backlink } from '../compilation/backlinks.server';
import { translateIsolated } from './UserText';

export function Backlinks({ links }: { links?: Backlink[] }) {
  const { t } = useTranslation();
  if (!links || links.length === 0) return null;
  const label = (link: Backlink) => {
    if (link.kind === 'key_point') return t('compilation.backlinks.keyPoint', { position: link.position, question: link.question });
    if (link.scope === 'question') return t('compilation.backlinks.questionNote', { question: link.question });
    if (link.scope === 'consultation') return t('compilation.backlinks.consultationNote');
    return translateIsolated(t, 'compilation.backlinks.note', { title: link.title }, ['title']);
  };
  return (
    <ul className="backlinks" aria-label={t('compilation.backlinks.label')} data-testid="backlinks">
      {links.map((link) => (
        <li key={link.kind === 'key_point' ? `k${link.keyPointId}` : `n${link.noteId}`}>
          <a href={link.href}>{label(link)}</a>
        </li>
      ))}
    </ul>
  );
}
