/**
 * The footnotes of a synthesis note: one entry per contribution it cites, in reading order, as
 * "[C-17, Civil society]" followed by the contribution's opening words and a link to it; a clip
 * of the compilation as "[CL-12] “the clipped words” [C-17, Civil society]", flagged when its
 * source changed since. The
 * server's list (page loader) works without JavaScript; with it, the list follows the live
 * document (useLiveSources asks the sources route for citations it does not know yet).
 */
import { Link } from '@remix-run/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { citationAnchor, citationKey, type NoteCitationRef } from '../../contributions/refs';
import type { Source } from '../../notes/citations.server';
import type { PublicAuthor } from '../../contributions/attribution';

type T = (key: string, options?: Record<string, unknown>) => string;

/** Who a footnote names, as the contribution's author chose: name, organisation, or group only. */
function who(author: PublicAuthor, group: (id: string) => string): string {
  switch (author.attribution) {
    case 'named':
      return `${author.name}, ${author.organisation}`;
    case 'organisation':
      return `${author.organisation} (${group(author.stakeholderGroup)})`;
    case 'chatham':
      return group(author.stakeholderGroup);
  }
}

/**
 * "[C-17, Civil society]", "[CS-4, ENDA (Civil society)]", "[C-9, hidden by a moderator]",
 * "[CS-4, rejected since it was cited]"; an available clip is "[CL-12]" alone (its source follows
 * its words: `quotedSourceLabel`).
 */
export function sourceLabel(source: Source, t: T, groups: Record<string, string>): string {
  if (source.clip && source.state === 'available') return `[${source.marker}]`;
  const detail =
    source.state === 'available' && source.author
      ? who(source.author, (id) => groups[id] ?? id)
      : source.standing === 'rejected'
        ? t('compilation.citation.rejected')
        : t(`notes.sources.state.${source.state}`);
  return `[${source.marker}, ${detail}]`;
}

/** A clip's source, exactly as a citation of that source shows it: "[C-17, Civil society]". */
export function quotedSourceLabel(source: Source, groups: Record<string, string>): string | null {
  if (!source.clip || !source.author) return null;
  return `[${source.clip.source.marker}, ${who(source.author, (id) => groups[id] ?? id)}]`;
}

/** The clip's words, its source, and a flag when the source no longer reads as clipped. */
function ClipDetail({ source, groups }: { source: Source; groups: Record<string, string> }) {
  const { t } = useTranslation();
  if (!source.clip) return null;
  return (
    <>
      {' '}
      <span className="note-source-quote">{t('notes.sources.quoted', { text: source.excerpt })}</span> <span className="note-source-label">{quotedSourceLabel(source, groups)}</span>
      {source.clip.state !== 'fresh' ? (
        <>
          {' '}
          <span className="note-source-flag" data-testid="note-source-flag" data-clip-state={source.clip.state}>
            {`(${t(`compilation.states.${source.clip.state}`)})`}
          </span>
        </>
      ) : null}
    </>
  );
}

/** What became of an available source since it was cited ("edited since it was cited"), if anything. */
function sinceCited(source: Source, t: T): string | null {
  return source.state === 'available' && (source.standing === 'changed' || source.standing === 'restricted') ? t(`compilation.citation.${source.standing}`) : null;
}

export function NoteSources({ sources, groups }: { sources: Source[]; groups: Record<string, string> }) {
  const { t } = useTranslation();
  if (sources.length === 0) return null;
  return (
    <section className="note-sources" aria-labelledby="note-sources-heading" data-testid="note-sources">
      <h2 id="note-sources-heading">{t('notes.sources.title')}</h2>
      <p className="muted">{t('notes.sources.intro')}</p>
      <ol>
        {sources.map((source) => (
          <li key={citationKey(source)} id={citationAnchor(source)} data-testid="note-source" data-state={source.state} data-standing={source.standing}>
            <span className="note-source-label">{sourceLabel(source, t, groups)}</span>
            {source.clip ? <ClipDetail source={source} groups={groups} /> : source.excerpt ? <> {t('notes.sources.quoted', { text: source.excerpt })}</> : null}
            {source.href ? (
              <>
                {' '}
                <Link to={source.href}>{(source.clip?.source.kind ?? source.kind) === 'post' ? t('notes.sources.inThread', { number: source.thread }) : t('notes.sources.caseStudy')}</Link>
              </>
            ) : null}
            {sinceCited(source, t) ? <strong className="note-source-standing">{` (${sinceCited(source, t)})`}</strong> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * The footnotes of the live document: `setRefs` with the citations it holds (in order); those the
 * list lacks are fetched from `sourcesUrl`. A failed fetch keeps what is known and tries again at
 * the next change.
 */
export function useLiveSources(initial: Source[], sourcesUrl: string) {
  const [known, setKnown] = useState(() => new Map(initial.map((s) => [citationKey(s), s])));
  const [order, setOrder] = useState<string[] | null>(null);
  const knownRef = useRef(known);
  knownRef.current = known;
  const asked = useRef(new Set<string>());

  // The loader's list changes after a revalidation (status change): it is the newer word.
  useEffect(() => {
    setKnown((previous) => new Map([...previous, ...initial.map((s) => [citationKey(s), s] as const)]));
  }, [initial]);

  const setRefs = useCallback(
    (refs: NoteCitationRef[]) => {
      const keys = refs.map(citationKey);
      setOrder((previous) => (previous && previous.join() === keys.join() ? previous : keys));
      const missing = keys.filter((key) => !knownRef.current.has(key) && !asked.current.has(key));
      if (missing.length === 0) return;
      for (const key of missing) asked.current.add(key);
      fetch(`${sourcesUrl}?refs=${encodeURIComponent(missing.join(','))}`, { headers: { accept: 'application/json' } })
        .then((response) => (response.ok ? (response.json() as Promise<{ sources: Source[] }>) : Promise.reject(new Error(String(response.status)))))
        .then(({ sources }) => setKnown((previous) => new Map([...previous, ...sources.map((s) => [citationKey(s), s] as const)])))
        .catch(() => undefined)
        .finally(() => {
          for (const key of missing) asked.current.delete(key);
        });
    },
    [sourcesUrl],
  );

  /** Sources cited now, with what the picker already knows (no fetch for a fresh citation). */
  const learn = useCallback((source: Source) => setKnown((previous) => new Map(previous).set(citationKey(source), source)), []);

  const sources = order === null ? initial : order.map((key) => known.get(key)).filter((s): s is Source => s !== undefined);
  return { sources, setRefs, learn };
}
