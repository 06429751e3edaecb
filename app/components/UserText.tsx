/**
 * Text a user wrote (a name, an organisation, a title), shown inside the interface's own text:
 * isolated (`<bdi>`: its direction is its own, and a stray right-to-left character in it cannot
 * turn what follows, the organisation or the date), and allowed to break anywhere (`.user-text`
 * in app.css: a 110-character name without a space must not widen a phone's page).
 */
import { Fragment, isValidElement, type ReactNode } from 'react';
import type { PublicAuthor } from '../contributions/attribution';

export function UserText({ children, className, lang }: { children: ReactNode; className?: string; lang?: string }) {
  return (
    <bdi className={className ? `user-text ${className}` : 'user-text'} lang={lang}>
      {children}
    </bdi>
  );
}

type T = (key: string, options?: Record<string, unknown>) => string;

// Private-use characters no translation holds: they mark where each isolated value goes.
const MARK = /\uE000(\d+)\uE001/;

/**
 * A translation whose user-written values (`isolated`) are each shown in a UserText (or, for a
 * value that is already markup, such as an AuthorLine, as it is); the other values are
 * interpolated as usual. `t('nav.signedInAs', { name })` becomes "Signed in as <bdi>name</bdi>".
 */
export function translateIsolated(t: T, key: string, values: Record<string, unknown>, isolated: readonly string[]): ReactNode {
  const slots: unknown[] = [];
  const options: Record<string, unknown> = { ...values };
  for (const name of isolated) {
    options[name] = `\uE000${slots.length}\uE001`;
    slots.push(values[name]);
  }
  const parts = t(key, options).split(MARK);
  // split() with a capturing group: text, slot index, text, slot index, … text.
  return parts.map((part, i) => {
    if (i % 2 === 0) return part;
    const value = slots[Number(part)];
    return isValidElement(value) ? <Fragment key={i}>{value}</Fragment> : <UserText key={i}>{String(value ?? '')}</UserText>;
  });
}

/**
 * The author line of a post or a case study, as its attribution allows (the markup form of
 * post-view.ts's authorLabel): name and organisation, organisation and group, or group only.
 */
export function AuthorLine({ author, t, groupLabel }: { author: PublicAuthor; t: T; groupLabel: (id: string) => string }) {
  switch (author.attribution) {
    case 'named':
      return (
        <>
          <UserText>{author.name}</UserText>, <UserText>{author.organisation}</UserText>
        </>
      );
    case 'organisation':
      return <>{translateIsolated(t, 'posts.organisationLabel', { organisation: author.organisation, group: groupLabel(author.stakeholderGroup) }, ['organisation'])}</>;
    case 'chatham':
      return <>{t('posts.chathamLabel', { group: groupLabel(author.stakeholderGroup) })}</>;
  }
}
