/**
 * One search result, as a list item of the results (an <ol>): its kind and marker, its badges
 * (hidden, restricted: what only some readers see), a heading linking to where it is, the
 * snippet (text only; the query's words in <mark>, in the hit's language), and who wrote it,
 * where and when.
 */
import { Link } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { PublicAuthor } from '../../contributions/attribution';
import type { ValueLabel } from '../../search/facet-labels.server';
import type { SearchKind, SnippetPart } from '../../search/search-types';
import { formatUtc } from '../utc-date';
import { AuthorLine, UserText, translateIsolated } from '../UserText';

/** A hit as the loader hands it: the contract's, labelled in the reader's language. */
export interface HitView {
  kind: SearchKind;
  id: number;
  marker: string;
  title: string;
  snippet: SnippetPart[];
  author: PublicAuthor | null;
  /** Moderators only, when the public line hides the name. */
  realAuthor: string | null;
  language: string;
  createdAt: string;
  href: string;
  kindLabel: string;
  /** The sub-question (else the question) it belongs to. */
  where: ValueLabel | null;
  statusLabel: string | null;
  restricted: boolean;
}

export function SearchHitItem({ hit, groupLabel }: { hit: HitView; groupLabel: (id: string) => string }) {
  const { t, i18n } = useTranslation();
  const headingId = `hit-${hit.kind}-${hit.id}`;
  return (
    <li className="card search-hit">
      <p className="search-hit-tags">
        <span className={`badge search-kind search-kind-${hit.kind}`}>{hit.kindLabel}</span>{' '}
        <span className="search-marker">{hit.marker}</span>
        {hit.statusLabel ? (
          <>
            {' '}
            <span className="badge search-status">{hit.statusLabel}</span>
          </>
        ) : null}
        {hit.restricted ? (
          <>
            {' '}
            <span className="badge cs-restricted search-restricted">{t('caseStudies.restricted')}</span>
          </>
        ) : null}
      </p>
      <h3 className="card-title search-hit-title" id={headingId}>
        {/* A passage's link (`#:~:text=`) is a real navigation: browsers find the words only on a page load. */}
        <Link to={hit.href} reloadDocument={hit.href.includes('#:~:text=')}>
          {hit.title ? <UserText lang={hit.language}>{hit.title}</UserText> : t('search.untitled', { kind: hit.kindLabel, marker: hit.marker })}
        </Link>
      </h3>
      {hit.snippet.length > 0 ? (
        <p className="search-snippet" lang={hit.language}>
          {hit.snippet.map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : part.text))}
        </p>
      ) : null}
      <p className="card-meta search-hit-meta">
        {hit.author ? (
          <span className="search-hit-author">
            <AuthorLine author={hit.author} t={t} groupLabel={groupLabel} />
          </span>
        ) : null}
        {hit.realAuthor ? (
          <span className="search-hit-real-author">{translateIsolated(t, 'search.realAuthor', { name: hit.realAuthor }, ['name'])}</span>
        ) : null}
        {hit.where ? (
          <span className="search-hit-where">
            {hit.where.label}
            {hit.where.detail ? (
              <>
                {' – '}
                <span lang={hit.where.lang}>{hit.where.detail}</span>
              </>
            ) : null}
          </span>
        ) : null}
        <span>
          <time dateTime={hit.createdAt}>
            {hit.kind === 'note' ? t('search.changedOn', { date: formatUtc(i18n.language, hit.createdAt) }) : formatUtc(i18n.language, hit.createdAt)}
          </time>
        </span>
      </p>
    </li>
  );
}
