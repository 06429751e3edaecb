/**
 * How a contribution's author is named, per its author's choice (docs/decisions/0014):
 * `named` (name and organisation), `organisation` (organisation only) or `chatham` (the
 * Chatham House rule: the stakeholder group only). Everything meant for others goes through
 * `authorAs`: nothing beyond what the attribution allows, not even an id. Isomorphic.
 */

export const ATTRIBUTIONS = ['named', 'organisation', 'chatham'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

/** An author as anyone but a moderator may see them. Carries no user id, whatever the attribution. */
export type PublicAuthor =
  | { attribution: 'named'; name: string; organisation: string; stakeholderGroup: string }
  | { attribution: 'organisation'; organisation: string; stakeholderGroup: string }
  | { attribution: 'chatham'; stakeholderGroup: string };

/** Who really wrote a contribution: for moderators (and the author) only. */
export interface AuthorRecord {
  id: string;
  name: string;
  organisation: string;
  stakeholderGroup: string;
}

/** The author as `attribution` allows others to see them. */
export function authorAs(attribution: Attribution, user: Omit<AuthorRecord, 'id'>): PublicAuthor {
  switch (attribution) {
    case 'named':
      return { attribution, name: user.name, organisation: user.organisation, stakeholderGroup: user.stakeholderGroup };
    case 'organisation':
      return { attribution, organisation: user.organisation, stakeholderGroup: user.stakeholderGroup };
    case 'chatham':
      return { attribution, stakeholderGroup: user.stakeholderGroup };
  }
}
