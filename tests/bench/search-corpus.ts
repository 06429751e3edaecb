/**
 * The search benchmark's text (search.ts): contributions of 40–250 words in French, English and
 * Spanish about migration policy, deterministic (a seeded PRNG), with the words the benchmark
 * searches for planted at known rates so that each query category means what it says:
 *
 * - rare: two words per language in exactly RARE_POSTS posts each (`xénophobie`, `kafala`…);
 * - common: `migrants` / `migrantes` and `frontières` / `borders` / `fronteras` in ~30% of the
 *   posts of their languages;
 * - two words: `compétences numériques`, `digital skills`, `competencias digitales`: together
 *   in ~3% of posts, each word alone in ~8% more (a two-word query must intersect);
 * - phrase: `recrutement équitable`, `fair recruitment`, `contratación equitativa`: adjacent in
 *   ~2%, both words apart in the same post in ~3%, one of them alone in ~10%;
 * - prefix: `numéri*` (numérique, numériques, numérisation), `regulari*`, `document*`.
 *
 * The sentence templates and topic words never contain a planted word (nor its plural or a
 * word sharing its stem), so a query's expected hits are what was planted; `expectedMatch`
 * counts them exactly (token match on the lower-cased text, as a search without stemming would).
 * The rest of each post is varied: templates filled with Zipf-distributed topics, cities,
 * organisations, figures and years, so the index holds a realistic vocabulary with a long tail.
 */
import { prng } from './fresh-postgres';

export { prng };

export const SEARCH_LANGUAGES = ['fr', 'en', 'es'] as const;
export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/** How many posts hold each rare word (fewer when the corpus has fewer posts of its language). */
export const RARE_POSTS = 5;

export const QUERY_CATEGORIES = ['rare', 'common', 'two_word', 'phrase', 'prefix'] as const;
export type QueryCategory = (typeof QUERY_CATEGORIES)[number];

/** The queries of each category, as a user types them, round-robin in the benchmark. */
export const QUERIES: Record<QueryCategory, string[]> = {
  rare: ['xénophobie', 'apatridie', 'ombudsperson', 'kafala', 'trashumancia', 'apatridia'],
  common: ['migrants', 'migrantes', 'frontières', 'borders', 'fronteras'],
  two_word: ['compétences numériques', 'digital skills', 'competencias digitales'],
  phrase: ['"recrutement équitable"', '"fair recruitment"', '"contratación equitativa"'],
  prefix: ['numéri*', 'regulari*', 'document*'],
};


type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
/** Zipf-like: index i drawn with weight 1/(i+1), so the first items are common and the tail rare. */
function zipf<T>(random: Random, list: readonly T[]): T {
  // Inverse of the harmonic CDF, approximated by exp(u · ln(n+1)) − 1: close enough for a corpus.
  const i = Math.floor(Math.exp(random() * Math.log(list.length + 1)) - 1);
  return list[Math.min(list.length - 1, Math.max(0, i))]!;
}

const CITIES = [
  'Dakar', 'Montréal', 'Bogotá', 'São Paulo', 'Düsseldorf', 'Genève', 'Málaga', 'Kraków', 'Abiyán', 'Quito', 'Manille', 'Casablanca',
  'Tunis', 'Lagos', 'Nairobi', 'Cebu', 'Tijuana', 'Medellín', 'Bamako', 'Niamey', 'Agadez', 'Lima', 'Valparaíso', 'Córdoba', 'Lyon',
  'Marseille', 'Toulouse', 'Lille', 'Bruxelles', 'Liège', 'Lisboa', 'Porto', 'Athènes', 'Thessalonique', 'Palermo', 'Lampedusa',
  'Ceuta', 'Melilla', 'Accra', 'Kampala', 'Addis-Abeba', 'Djibouti', 'Amman', 'Beyrouth', 'Doha', 'Dubaï', 'Riyad', 'Katmandou',
  'Dacca', 'Colombo', 'Jakarta', 'Kuala Lumpur', 'Hô Chi Minh-Ville', 'Ciudad Juárez', 'San Salvador', 'Tegucigalpa', 'Guatemala',
];
const ORGS = [
  'OIM', 'OIT', 'HCR', 'UNICEF', 'ONUDC', 'Caritas', 'Cruz Roja', 'Croix-Rouge', 'ECRE', 'PICUM', 'MADE', 'CGLU', 'GFMD', 'ICMPD',
  'Migrafrica', 'Scalabrinianas', 'Asociación Rumiñahui', 'Collectif Migrations Dakar', 'Mairie de Lyon', 'Ayuntamiento de Málaga',
  'Chamber of Commerce of Cebu', 'Kenya Federation of Employers', 'Confederación Sindical', 'ANPE Mali', 'POEA', 'DMW', 'OFII',
];

/** Per-language text: sentence templates and topic words, none holding a planted word. */
interface Lexicon {
  templates: string[];
  topics: string[];
  /** Sentences planting each feature (the key says which). */
  plant: Record<string, string[]>;
}

const LEXICON: Record<SearchLanguage, Lexicon> = {
  fr: {
    templates: [
      'À {city}, {org} a accompagné {n} personnes vers un premier emploi en {year}.',
      'La question de {topic} revient dans presque toutes les réunions que nous tenons avec les communes.',
      'Nous proposons que {topic} soit discutée avec les collectivités locales dès la conception du programme.',
      'Les associations de la diaspora connaissent mieux {topic} que n’importe quel ministère.',
      'Depuis {year}, le budget consacré à {topic} a baissé de {n} % à {city}.',
      'Un financement pluriannuel et prévisible compte davantage que le montant de chaque subvention.',
      'Le guichet unique de {city} traite désormais {n} dossiers par mois, dont beaucoup concernent {topic}.',
      'Les syndicats demandent à être consultés sur {topic} et sur les accords bilatéraux de main-d’œuvre.',
      'Il faut un interlocuteur unique, un dossier partagé et une réunion mensuelle ouverte aux personnes concernées.',
      'Les données sur {topic} sont éparpillées entre plusieurs administrations et rarement partagées avec les villes.',
      'Nous avons évalué {topic} avec {org} : les résultats sont encourageants mais fragiles.',
      'Les travailleuses domestiques restent en dehors de la plupart des dispositifs décrits ici.',
      'Selon {org}, {n} familles ont bénéficié d’un accompagnement lié à {topic} l’an dernier.',
      'La coopération entre {city} et {city2} sur {topic} pourrait servir de modèle régional.',
      'Les femmes et les jeunes sont les premiers touchés par les lacunes en matière de {topic}.',
      'Le comité de suivi se réunit chaque trimestre ; {org} en assure le secrétariat.',
      'Sans indicateurs partagés, personne ne peut dire si {topic} progresse réellement.',
      'Nous recommandons d’associer les employeurs locaux à {topic} dès la première année.',
      'Les accords signés au niveau national restent lettre morte tant que personne ne les porte localement.',
      'À notre avis, {topic} et {topic2} doivent être traités ensemble.',
    ],
    topics: [
      'l’intégration', 'la protection sociale', 'le logement', 'la santé', 'l’accueil', 'la scolarisation des enfants', 'les transferts de fonds',
      'le retour volontaire', 'la réinsertion', 'la traite des êtres humains', 'le travail saisonnier', 'la reconnaissance des diplômes',
      'la formation professionnelle', 'l’apprentissage du français', 'l’accès à la justice', 'la portabilité des droits', 'les visas de travail',
      'le regroupement familial', 'la lutte contre les discriminations', 'les couloirs humanitaires', 'la mobilité étudiante', 'l’entrepreneuriat',
      'la sécurité sociale', 'l’accès aux soins', 'la gouvernance locale', 'les partenariats pour les talents', 'la circulation des personnes',
      'les changements climatiques', 'les déplacements internes', 'la résilience des communautés', 'l’inclusion financière', 'la microfinance',
      'l’épargne des ménages', 'les agences de placement', 'les contrats types', 'l’inspection du travail', 'les salaires minimaux',
      'la médiation interculturelle', 'la participation citoyenne', 'les conseils consultatifs', 'l’égalité entre les femmes et les hommes',
    ],
    plant: {
      'common:migrants': [
        'Les migrants arrivés depuis moins d’un an ont rarement accès à ces services.',
        'Beaucoup de migrants ne savent pas à quel guichet s’adresser.',
        'Les migrants eux-mêmes devraient siéger au comité de pilotage.',
        'Pour les migrants en situation de handicap, presque rien n’est prévu.',
      ],
      'common:frontières': [
        'Les contrôles aux frontières ont allongé les trajets de plusieurs semaines.',
        'Au-delà des frontières, les familles restent liées par les transferts et les appels.',
        'Les frontières administratives entre ministères compliquent tout.',
      ],
      'two:compétences numériques': [
        'Les compétences numériques des nouveaux arrivants sont sous-estimées par les employeurs.',
        'Un module de compétences numériques a été ajouté au parcours d’accueil.',
        'Nous finançons des ateliers de compétences numériques dans trois quartiers.',
      ],
      'two:compétences': [
        'Les compétences acquises à l’étranger sont rarement reconnues.',
        'Un bilan de compétences gratuit est proposé à chaque personne accueillie.',
      ],
      'two:numériques': [
        'Les démarches numériques excluent ceux qui n’ont pas de connexion.',
        'Les plateformes numériques de placement posent de nouvelles questions.',
      ],
      'prefix:numérique': [
        'La fracture numérique touche d’abord les personnes âgées.',
        'La numérisation des dossiers a réduit les délais de moitié.',
        'Un guichet numérique unique serait une vraie avancée.',
      ],
      'phrase:recrutement équitable': [
        'Le recrutement équitable suppose qu’aucun frais ne soit facturé aux travailleurs.',
        'Nous avons signé la charte du recrutement équitable avec six agences.',
        'Le principe du recrutement équitable doit figurer dans chaque accord bilatéral.',
      ],
      'phrase:apart': [
        'Le recrutement passe encore trop par des intermédiaires ; rien n’y est équitable pour les candidats.',
        'Un partage équitable des coûts faciliterait le recrutement dans les zones rurales.',
      ],
      'phrase:recrutement': ['Le recrutement se fait souvent par le bouche-à-oreille.', 'Les agences de recrutement privées sont peu contrôlées.'],
      'phrase:équitable': ['Un accès équitable aux soins reste un objectif lointain.', 'La répartition des places n’est pas équitable entre régions.'],
      'rare:xénophobie': ['Les actes de xénophobie signalés à la mairie ont doublé cette année.'],
      'rare:apatridie': ['Les enfants nés sur place risquent l’apatridie faute d’enregistrement.'],
    },
  },
  en: {
    templates: [
      'In {city}, {org} helped {n} people into a first job in {year}.',
      'The question of {topic} comes up in almost every meeting we hold with local authorities.',
      'We propose that {topic} be discussed with local governments from the design of the programme onwards.',
      'Diaspora associations know more about {topic} than any ministry.',
      'Since {year}, the budget for {topic} has fallen by {n}% in {city}.',
      'Predictable, multi-year funding mattered more than the size of any single grant.',
      'The one-stop shop in {city} now handles {n} cases a month, many of them about {topic}.',
      'Trade unions ask to be consulted on {topic} and on bilateral labour agreements.',
      'What made it work was a shared case file and a monthly meeting open to the people concerned.',
      'Data on {topic} is scattered across ministries and rarely shared with cities.',
      'We evaluated {topic} with {org}: the results are encouraging but fragile.',
      'Domestic workers remain outside most of the schemes described here.',
      'According to {org}, {n} families received support related to {topic} last year.',
      'Cooperation between {city} and {city2} on {topic} could become a regional model.',
      'Women and young people are hit first by the gaps in {topic}.',
      'The monitoring committee meets every quarter; {org} acts as its secretariat.',
      'Without shared indicators, nobody can tell whether {topic} is really improving.',
      'We recommend involving local businesses in {topic} from the first year.',
      'Agreements signed nationally stay on paper until someone carries them locally.',
      'In our view, {topic} and {topic2} must be dealt with together.',
    ],
    topics: [
      'integration', 'social protection', 'housing', 'health care', 'reception', 'schooling for children', 'remittances', 'voluntary return',
      'reintegration', 'human trafficking', 'seasonal work', 'recognition of diplomas', 'vocational training', 'language classes', 'access to justice',
      'portability of pensions', 'work visas', 'family reunification', 'anti-discrimination work', 'humanitarian corridors', 'student mobility',
      'entrepreneurship', 'social security', 'access to care', 'local governance', 'talent partnerships', 'free movement', 'climate change',
      'internal displacement', 'community resilience', 'financial inclusion', 'microfinance', 'household savings', 'placement agencies',
      'model contracts', 'labour inspection', 'minimum wages', 'intercultural mediation', 'civic participation', 'advisory councils', 'gender equality',
    ],
    plant: {
      'common:migrants': [
        'Migrants who arrived less than a year ago rarely reach these services.',
        'Many migrants do not know which office to turn to.',
        'Migrants themselves should sit on the steering committee.',
        'For migrants with disabilities, almost nothing is provided.',
      ],
      'common:borders': [
        'Controls at the borders have lengthened journeys by several weeks.',
        'Across borders, families stay connected through remittances and calls.',
        'Administrative borders between ministries complicate everything.',
      ],
      'two:digital skills': [
        'The digital skills of newcomers are underestimated by employers.',
        'A digital skills module was added to the reception programme.',
        'We fund digital skills workshops in three neighbourhoods.',
      ],
      'two:digital': ['Digital procedures exclude those without a connection.', 'Digital placement platforms raise new questions.'],
      'two:skills': ['Skills acquired abroad are rarely recognised.', 'A free skills assessment is offered to everyone we receive.'],
      'prefix:regulari': [
        'A regularisation programme would bring thousands out of informal work.',
        'Regularization through work permits was tried in two provinces.',
        'Those regularised last year found jobs within months.',
      ],
      'phrase:fair recruitment': [
        'Fair recruitment means that no fees are charged to workers.',
        'We signed the fair recruitment charter with six agencies.',
        'The principle of fair recruitment should appear in every bilateral agreement.',
      ],
      'phrase:apart': [
        'Recruitment still goes through too many intermediaries; nothing about it is fair to candidates.',
        'A fair sharing of costs would ease recruitment in rural areas.',
      ],
      'phrase:recruitment': ['Recruitment often happens by word of mouth.', 'Private recruitment agencies are barely inspected.'],
      'phrase:fair': ['A fair share of places goes to the regions.', 'Access to care is not yet fair across regions.'],
      'rare:ombudsperson': ['We referred the complaint to the ombudsperson, who has not answered yet.'],
      'rare:kafala': ['Reform of the kafala system was the main demand of the workers we met.'],
    },
  },
  es: {
    templates: [
      'En {city}, {org} acompañó a {n} personas hacia un primer empleo en {year}.',
      'La cuestión de {topic} aparece en casi todas las reuniones que tenemos con los municipios.',
      'Proponemos que {topic} se discuta con los gobiernos locales desde el diseño del programa.',
      'Las asociaciones de la diáspora conocen {topic} mejor que cualquier ministerio.',
      'Desde {year}, el presupuesto para {topic} ha bajado un {n} % en {city}.',
      'La financiación plurianual y previsible importó más que el tamaño de cada subvención.',
      'La ventanilla única de {city} atiende ya {n} expedientes al mes, muchos sobre {topic}.',
      'Los sindicatos piden ser consultados sobre {topic} y sobre los acuerdos bilaterales de mano de obra.',
      'Lo que funcionó fue un expediente compartido y una reunión mensual abierta a las personas afectadas.',
      'Los datos sobre {topic} están dispersos entre varios ministerios y rara vez se comparten con las ciudades.',
      'Evaluamos {topic} con {org}: los resultados son alentadores pero frágiles.',
      'Las trabajadoras del hogar siguen fuera de la mayoría de los programas descritos aquí.',
      'Según {org}, {n} familias recibieron apoyo relacionado con {topic} el año pasado.',
      'La cooperación entre {city} y {city2} sobre {topic} podría servir de modelo regional.',
      'Las mujeres y los jóvenes son los primeros afectados por las carencias en {topic}.',
      'El comité de seguimiento se reúne cada trimestre; {org} ejerce la secretaría.',
      'Sin indicadores compartidos, nadie puede decir si {topic} mejora de verdad.',
      'Recomendamos asociar a las empresas locales a {topic} desde el primer año.',
      'Los acuerdos firmados a nivel nacional quedan en papel mientras nadie los impulse localmente.',
      'A nuestro juicio, {topic} y {topic2} deben tratarse juntos.',
    ],
    topics: [
      'la integración', 'la protección social', 'la vivienda', 'la salud', 'la acogida', 'la escolarización de los niños', 'las remesas',
      'el retorno voluntario', 'la reintegración', 'la trata de personas', 'el trabajo temporal', 'el reconocimiento de títulos',
      'la formación profesional', 'las clases de idioma', 'el acceso a la justicia', 'la portabilidad de las pensiones', 'los visados de trabajo',
      'la reunificación familiar', 'la lucha contra la discriminación', 'los corredores humanitarios', 'la movilidad estudiantil', 'el emprendimiento',
      'la seguridad social', 'el acceso a la atención médica', 'la gobernanza local', 'las alianzas para el talento', 'la libre circulación',
      'el cambio climático', 'el desplazamiento interno', 'la resiliencia comunitaria', 'la inclusión financiera', 'las microfinanzas',
      'el ahorro de los hogares', 'las agencias de colocación', 'los contratos tipo', 'la inspección del trabajo', 'los salarios mínimos',
      'la mediación intercultural', 'la participación ciudadana', 'los consejos consultivos', 'la igualdad de género',
    ],
    plant: {
      'common:migrantes': [
        'Las personas migrantes llegadas hace menos de un año casi no acceden a estos servicios.',
        'Muchos migrantes no saben a qué oficina acudir.',
        'Los propios migrantes deberían formar parte del comité de dirección.',
        'Para los migrantes con discapacidad casi no hay nada previsto.',
      ],
      'common:fronteras': [
        'Los controles en las fronteras alargaron los trayectos varias semanas.',
        'Más allá de las fronteras, las familias siguen unidas por las remesas y las llamadas.',
        'Las fronteras administrativas entre ministerios lo complican todo.',
      ],
      'two:competencias digitales': [
        'Las competencias digitales de los recién llegados están subestimadas por los empleadores.',
        'Se añadió un módulo de competencias digitales al itinerario de acogida.',
        'Financiamos talleres de competencias digitales en tres barrios.',
      ],
      'two:competencias': ['Las competencias adquiridas en el extranjero rara vez se reconocen.', 'Se ofrece un balance de competencias gratuito a cada persona.'],
      'two:digitales': ['Los trámites digitales excluyen a quienes no tienen conexión.', 'Las plataformas digitales de colocación plantean nuevas preguntas.'],
      'prefix:document': [
        'La documentación exigida cambia de un consulado a otro.',
        'Sin documentos, nadie puede abrir una cuenta bancaria.',
        'Las personas documentadas a tiempo encontraron empleo en pocos meses.',
      ],
      'phrase:contratación equitativa': [
        'La contratación equitativa supone que no se cobre ninguna tarifa a los trabajadores.',
        'Firmamos la carta de contratación equitativa con seis agencias.',
        'El principio de contratación equitativa debe figurar en cada acuerdo bilateral.',
      ],
      'phrase:apart': [
        'La contratación pasa aún por demasiados intermediarios; nada en ella es equitativa para los candidatos.',
        'Una distribución equitativa de los costes facilitaría la contratación en zonas rurales.',
      ],
      'phrase:contratación': ['La contratación se hace a menudo de boca en boca.', 'Las agencias de contratación privadas apenas se inspeccionan.'],
      'phrase:equitativa': ['Una atención equitativa en salud sigue siendo lejana.', 'La distribución de plazas no es equitativa entre regiones.'],
      'rare:trashumancia': ['La trashumancia transfronteriza del ganado sigue rutas que los acuerdos ignoran.'],
      'rare:apatridia': ['Los niños nacidos aquí corren riesgo de apatridia por falta de registro.'],
    },
  },
};

/** Each planted feature's rate among its language's posts (rare words: exact counts instead). */
const RATES: Record<string, number> = {
  common: 0.3,
  'two:pair': 0.03,
  'two:alone': 0.08,
  prefix: 0.1,
  'phrase:exact': 0.02,
  'phrase:apart': 0.03,
  'phrase:alone': 0.05,
};

export interface GeneratedPost {
  language: SearchLanguage;
  /** Paragraphs of plain text (blank-line separated in the post's text). */
  paragraphs: string[];
  words: number;
}

function fill(random: Random, template: string, lexicon: Lexicon): string {
  return template
    .replace('{city2}', pick(random, CITIES))
    .replace('{city}', pick(random, CITIES))
    .replace('{org}', pick(random, ORGS))
    .replace('{n}', String(2 + Math.floor(random() * 1500)))
    .replace('{year}', String(2010 + Math.floor(random() * 16)))
    .replace('{topic2}', zipf(random, lexicon.topics))
    .replace('{topic}', zipf(random, lexicon.topics));
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/**
 * The posts' generator. `rareAt(language, index)` says which rare words post `index` (counting
 * that language's posts from 0) holds: planted in RARE_POSTS posts spread over the corpus.
 */
export function createCorpus(seed: number, totalPosts: number) {
  const random = prng(seed);
  const counters: Record<SearchLanguage, number> = { fr: 0, en: 0, es: 0 };
  // Expected posts per language, for spreading the rare words over the whole range.
  const expected: Record<SearchLanguage, number> = { fr: Math.floor(totalPosts * 0.4), en: Math.floor(totalPosts * 0.35), es: Math.floor(totalPosts * 0.25) };
  const rareKeys = (language: SearchLanguage) => Object.keys(LEXICON[language].plant).filter((k) => k.startsWith('rare:'));
  const rareAt = (language: SearchLanguage, index: number): string[] => {
    const step = Math.max(1, Math.floor((expected[language] * 0.9) / RARE_POSTS));
    return rareKeys(language).filter((_, r) => {
      const offset = index - (r * 7 + 3); // the two rare words in different posts
      return offset >= 0 && offset % step === 0 && offset / step < RARE_POSTS;
    });
  };

  return function next(): GeneratedPost {
    const r = random();
    const language: SearchLanguage = r < 0.4 ? 'fr' : r < 0.75 ? 'en' : 'es';
    const lexicon = LEXICON[language];
    const index = counters[language]++;
    const plant = (key: string) => lexicon.plant[key] ?? [];
    const keysStarting = (prefix: string) => Object.keys(lexicon.plant).filter((k) => k.startsWith(prefix));
    const planted: string[] = [];
    for (const key of keysStarting('common:')) if (random() < RATES.common!) planted.push(pick(random, plant(key)));
    const [pair, ...alone] = keysStarting('two:');
    if (random() < RATES['two:pair']!) planted.push(pick(random, plant(pair!)));
    for (const key of alone) if (random() < RATES['two:alone']!) planted.push(pick(random, plant(key)));
    for (const key of keysStarting('prefix:')) if (random() < RATES.prefix!) planted.push(pick(random, plant(key)));
    const [exact, , ...phraseAlone] = keysStarting('phrase:');
    if (random() < RATES['phrase:exact']!) planted.push(pick(random, plant(exact!)));
    if (random() < RATES['phrase:apart']!) planted.push(pick(random, plant('phrase:apart')));
    for (const key of phraseAlone) if (random() < RATES['phrase:alone']!) planted.push(pick(random, plant(key)));
    for (const key of rareAt(language, index)) planted.push(pick(random, plant(key)));

    // 40–250 words, short posts more frequent than long ones.
    const target = 40 + Math.floor(210 * random() ** 1.6);
    const sentences = [...planted];
    let words = planted.reduce((n, s) => n + wordCount(s), 0);
    while (words < target) {
      const sentence = fill(random, pick(random, lexicon.templates), lexicon);
      // Planted sentences land anywhere in the post, not only first.
      sentences.splice(Math.floor(random() * (sentences.length + 1)), 0, sentence);
      words += wordCount(sentence);
    }
    // Capitalise a sentence that starts with a lower-case topic.
    const text = sentences.map((s) => s.charAt(0).toUpperCase() + s.slice(1));
    const paragraphCount = Math.min(text.length, 1 + Math.floor(words / 70));
    const paragraphs: string[] = [];
    const per = Math.ceil(text.length / paragraphCount);
    for (let i = 0; i < text.length; i += per) paragraphs.push(text.slice(i, i + per).join(' '));
    return { language, paragraphs, words };
  };
}

/**
 * Whether `text` holds what `query` asks for, token for token (lower-case, no stemming, no
 * accent folding): words all present, a quoted phrase adjacent, `x*` any word starting with x.
 * What the benchmark expects a search to find at least.
 */
export function expectedMatch(query: string): (lowerText: string) => boolean {
  const edge = '(?<![\\p{L}\\p{N}])';
  const end = '(?![\\p{L}\\p{N}])';
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const phrase = /^"(.*)"$/.exec(query);
  if (phrase) {
    const re = new RegExp(`${edge}${phrase[1]!.split(/\s+/).map(escape).join('\\s+')}${end}`, 'u');
    return (t) => re.test(t);
  }
  const res = query.split(/\s+/).map((w) => (w.endsWith('*') ? new RegExp(`${edge}${escape(w.slice(0, -1))}`, 'u') : new RegExp(`${edge}${escape(w)}${end}`, 'u')));
  return (t) => res.every((re) => re.test(t));
}
