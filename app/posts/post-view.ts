/**
 * What leaves the server about a post, per audience. The author goes through `authorAs`
 * (app/contributions/attribution.ts): nothing beyond what the author's chosen attribution
 * allows, not even an id. Isomorphic (types and the label used by pages and live events alike).
 */
import type { AuthorRecord, PublicAuthor } from '../contributions/attribution';
import type { PostStatus } from '../contributions/statuses';
import { isolate } from '../text/policy';

export interface PostView {
  id: number;
  threadId: number;
  clientId: string;
  parentId: number | null;
  rootId: number | null;
  seq: number;
  status: PostStatus;
  /** Safe HTML rendered by the server; null when the reader may not see the text. */
  html: string | null;
  language: string;
  author: PublicAuthor;
  endorsements: number;
  createdAt: string;
  editedAt: string | null;
  /** A hidden post's reason, for its author and moderators. */
  hiddenReason?: string | null;
  /** Moderators only: who really wrote it. */
  realAuthor?: AuthorRecord;
  /** For its author only (pages and acknowledgements, never broadcast). */
  mine?: boolean;
  body?: string;
  endorsedByMe?: boolean;
}

/**
 * How an author is shown, as plain text (typing indicators, presence, labels): `group` is the
 * stakeholder group's label in the reader's language. The name and the organisation are each
 * isolated (FSI … PDI, the text form of `<bdi>`), so that a right-to-left character in one
 * cannot turn the rest of the line; pages show components/UserText.tsx's AuthorLine instead.
 */
export function authorLabel(
  author: PublicAuthor,
  t: (key: string, options?: Record<string, string>) => string,
  group: (id: string) => string,
): string {
  switch (author.attribution) {
    case 'named':
      return `${isolate(author.name)}, ${isolate(author.organisation)}`;
    case 'organisation':
      return t('posts.organisationLabel', { organisation: isolate(author.organisation), group: group(author.stakeholderGroup) });
    case 'chatham':
      return t('posts.chathamLabel', { group: group(author.stakeholderGroup) });
  }
}
