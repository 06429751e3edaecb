/**
 * Demo contributions: a few conversations in several threads, in French, English and Spanish,
 * with replies, endorsements and every kind of attribution, and one off-topic advert for the
 * moderators to hide (demo-case-studies.ts). Fixed client ids make re-runs add nothing.
 */
import type { Kysely } from 'kysely';
import { createPostService } from '../../app/posts/posts.server';
import type { Attribution, Database } from '../schema';

interface DemoPost {
  key: string;
  thread: string;
  author: string; // demo account email
  attribution: Attribution;
  replyTo?: string;
  paragraphs: string[];
  endorsedBy?: string[];
}

const d = (name: string) => `${name}@demo.palabre.org`;

const POSTS: DemoPost[] = [
  {
    key: 'p1', thread: '2.4', author: d('mariama'), attribution: 'named',
    paragraphs: [
      'À Dakar, les partenariats qui ont tenu sont ceux où la commune était autour de la table dès le départ : c’est elle qui connaît les quartiers d’où partent les jeunes.',
      'Les accords signés au niveau national restaient lettre morte tant que personne ne les portait localement.',
    ],
    endorsedBy: [d('julien'), d('ana')],
  },
  {
    key: 'p2', thread: '2.4', author: d('julien'), attribution: 'organisation', replyTo: 'p1',
    paragraphs: ['Même constat à Montréal : le guichet municipal d’accueil a fait plus pour l’intégration des nouveaux arrivants que trois programmes fédéraux réunis.'],
    endorsedBy: [d('mariama')],
  },
  {
    key: 'p3', thread: '2.4', author: d('ana'), attribution: 'named',
    paragraphs: [
      'From the perspective of a country of origin, regional frameworks matter too: bilateral labour agreements only work when destination countries in the same region align their standards.',
      'Global commitments such as the GCM give us the language; regional ones give us leverage.',
    ],
    endorsedBy: [d('priya')],
  },
  {
    key: 'p4', thread: '2.4', author: d('priya'), attribution: 'chatham', replyTo: 'p3',
    paragraphs: ['Employers see the same thing: recognition of skills is negotiated regionally, but it is applied — or not — by local offices.'],
  },
  {
    key: 'p5', thread: '1.1', author: d('priya'), attribution: 'named',
    paragraphs: [
      'The main challenge we met in building a skills partnership was aligning training with real vacancies. Employers joined late, after the curriculum was already fixed.',
    ],
    endorsedBy: [d('ana'), d('mariama'), d('julien')],
  },
  {
    key: 'p6', thread: '1.1', author: d('moderator'), attribution: 'named', replyTo: 'p5',
    paragraphs: ['Gracias por este ejemplo. ¿Qué cambiaría usted para que los empleadores participen desde el diseño del programa?'],
  },
  {
    key: 'p7', thread: '4.1', author: d('ana'), attribution: 'organisation',
    paragraphs: ['Les indicateurs que nous utilisons mesurent surtout les départs, très peu le retour des compétences. Il faudrait ventiler les données par statut migratoire, comme le demandent les ODD.'],
  },
  {
    key: 'p8', thread: '3.2', author: d('mariama'), attribution: 'chatham',
    paragraphs: ['Las organizaciones de la sociedad civil deberían participar en el seguimiento de los acuerdos, no solo en su difusión.'],
    endorsedBy: [d('julien')],
  },
  {
    // Off-topic advertising: flagged and hidden by the moderator in demo-case-studies.ts.
    key: 'p9', thread: '1.1', author: d('priya'), attribution: 'named',
    paragraphs: ['Early-bird tickets for our annual recruitment industry gala are 40% off this week only! Use the code PALABRE40 at example.com/gala and share with your network.'],
  },
  // For the search (issue 15): the same ideas in three languages, accents, plurals, a phrase, and
  // one under the Chatham House rule (searching its author's name finds nothing).
  {
    key: 'p10', thread: '3.3', author: d('mariama'), attribution: 'named',
    paragraphs: [
      'Le recrutement équitable commence avant le départ : les travailleuses domestiques que nous accompagnons font valider leurs compétences numériques et linguistiques avant de signer un contrat.',
      'Sans cette validation, les compétences acquises ne sont reconnues ni par les employeurs ni par les agences.',
    ],
    endorsedBy: [d('ana')],
  },
  {
    key: 'p11', thread: '3.3', author: d('ana'), attribution: 'organisation', replyTo: 'p10',
    paragraphs: ['En nuestras ciudades fronterizas, la política de visados cambia cada año; una competencia digital reconocida en la región vale más que un diploma que nadie sabe leer.'],
  },
  {
    key: 'p12', thread: '4.2', author: d('julien'), attribution: 'chatham',
    paragraphs: ['Fair recruitment needs figures: how many workers paid a fee, how many got the visa they were promised, how many had their digital skills recognised on arrival.'],
    endorsedBy: [d('priya')],
  },
];

export async function seedDemoPosts(db: Kysely<Database>, consultationId: number): Promise<number> {
  const posts = createPostService(db, { publish: () => {}, postsPerMinute: 1_000 });
  const users = new Map((await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]));
  const threads = new Map(
    (await db.selectFrom('threads').select(['id', 'number']).where('consultationId', '=', consultationId).execute()).map((t) => [t.number, t.id]),
  );
  const ids = new Map<string, number>();
  for (const post of POSTS) {
    const authorId = users.get(post.author);
    const threadId = threads.get(post.thread);
    if (!authorId || !threadId) continue;
    const text = post.paragraphs.join('\n\n');
    const created = await posts.create(
      authorId,
      { threadId, clientId: `demo-${post.key}-seed`, parentId: post.replyTo ? ids.get(post.replyTo) : undefined, text, attribution: post.attribution },
      'en',
    );
    ids.set(post.key, created.id);
    for (const email of post.endorsedBy ?? []) {
      const userId = users.get(email);
      if (userId) await posts.endorse(userId, created.id, true);
    }
  }
  return ids.size;
}
