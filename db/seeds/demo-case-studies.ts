/**
 * Demo case studies and moderation: illustrative (fictional) migration partnerships by the demo
 * participants, in French, English and Spanish, in every state of the review lifecycle (so the
 * catalogue, the author's list, the review queue and the history all have something to show),
 * two of them featured on a sub-question; then a few flags on demo posts and on a published case
 * study, and one off-topic post hidden by the moderator.
 *
 * Everything goes through the domain services, as a user would. Re-running adds nothing twice:
 * a case study is found again by its author and title (and brought on to its intended state if
 * an earlier run stopped half-way); a flag is skipped if its reporter already flagged the same
 * thing (whatever became of that flag); the post is hidden only if it never was.
 */
import type { Kysely } from 'kysely';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import { TRANSITIONS, type TransitionAction } from '../../app/case-studies/lifecycle';
import { createModerationService } from '../../app/moderation/moderation.server';
import { createPostService } from '../../app/posts/posts.server';
import type { CaseStudyStatus, Database, FlagReason, FlagSubject } from '../schema';

const d = (name: string) => `${name}@demo.palabre.org`;
const MODERATOR = d('moderator');

interface Step {
  action: TransitionAction;
  note?: string;
}

interface DemoCaseStudy {
  key: string;
  author: string; // demo account email
  /** The review steps after the first save (which submits unless the list is empty). */
  steps: Step[];
  /** Sub-question numbers the moderator features it on (published ones only). */
  featureOn?: string[];
  /** The form's input, sub-questions by number ('2.4'). */
  input: Record<string, unknown> & { title: string; subQuestions: string[] };
}

const REVIEW: Step[] = [{ action: 'submit' }, { action: 'review' }];
const PUBLISH: Step[] = [...REVIEW, { action: 'verify' }, { action: 'publish' }];

const CASE_STUDIES: DemoCaseStudy[] = [
  {
    key: 'household-contract',
    author: d('ana'),
    // Sent back once for indicators, then published: its history shows the whole loop.
    steps: [
      ...REVIEW,
      {
        action: 'request_changes',
        note: 'Thank you, this is very useful. Could you list the indicators you track, and say how the figures in the results are collected?',
      },
      { action: 'submit' },
      { action: 'review' },
      { action: 'verify' },
      { action: 'publish' },
    ],
    featureOn: ['2.4'],
    input: {
      title: 'One model employment contract for household workers, adopted corridor by corridor',
      summary:
        'Illustrative example. A country of origin proposed one model contract for household service workers to the labour ministries of its main destination countries in the region, enforced through accredited recruitment agencies and a hotline run by migrant associations.',
      text: [
        'Household service workers were the group that reached our help desks most often: unpaid wages, passports kept by the employer, and contracts replaced on arrival by a less favourable one.',
        'Rather than negotiate a separate agreement with each destination, we proposed a single model contract to the labour ministries of the main destination countries in the region: a wage floor, a weekly rest day, the worker keeps her passport, and the contract signed before departure is the one registered on arrival. Three ministries took it as the basis of their own standard contract.',
        'Enforcement rests on recruitment agencies. Only accredited agencies may deploy household workers, and an agency is liable with the employer for unpaid wages. Migrant associations in the destination countries run a hotline in the workers’ languages and refer cases to the labour attachés.',
      ].join('\n\n'),
      partners: [
        { name: 'Migrant workers’ department of the country of origin', group: 'government' },
        { name: 'Labour ministries of three destination countries', group: 'government' },
        { name: 'Association of accredited recruitment agencies', group: 'business' },
        { name: 'Network of migrant domestic workers’ associations', group: 'civil-society' },
      ],
      origin: ['PH'],
      destination: ['AE', 'KW', 'QA'],
      implementation: ['PH', 'AE', 'KW', 'QA'],
      level: 'regional',
      themes: ['labour-governance', 'protection'],
      sdgTargets: ['8.8', '10.7'],
      stage: 'implementing',
      funding: [
        { source: 'National budget (labour attaché offices)', amount: 48_000_000, currency: 'PHP' },
        { source: 'Development partner technical cooperation grant', amount: 650_000, currency: 'USD' },
      ],
      results:
        'After two years, 61% of deployed household workers had the same registered contract on file at both ends (18% before). Wage complaints per 1,000 deployed workers fell by about a third; complaints about passports barely moved.',
      indicators:
        'Share of deployments with matching contracts registered in origin and destination; complaints per 1,000 deployed workers, by type; median time to settle a wage claim; agencies suspended per year. Figures come from the deployment register and the hotline’s case log, reconciled every quarter.',
      worked:
        'One model instead of many: each destination ministry could adopt it as its own text. Making agencies jointly liable changed their behaviour faster than inspections did. A hotline run by migrant associations was trusted where an embassy line was not.',
      didNotWork:
        'Passport retention went on wherever the destination’s law did not penalise it. Workers who changed employer after arrival fell outside the scheme. Data were exchanged as spreadsheets by email, so figures were months late.',
      subQuestions: ['2.3', '2.4'],
      contact: 'ana@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'en',
    },
  },
  {
    key: 'dakar-info-points',
    author: d('mariama'),
    steps: PUBLISH,
    featureOn: ['1.1'],
    input: {
      title: 'Des points d’information sur la migration dans les quartiers de Dakar',
      summary:
        'Exemple fictif à but d’illustration. Une association, deux mairies d’arrondissement et des migrants de retour tiennent des points d’information où les jeunes découvrent les voies légales de migration, les risques des traversées irrégulières, et obtiennent leurs pièces d’état civil.',
      text: [
        'Beaucoup de jeunes qui envisageaient de partir ignoraient qu’il existait des voies légales, et comment s’y préparer. Ils s’informaient auprès d’intermédiaires qui avaient intérêt à leur vendre une traversée.',
        'Depuis trois ans, quatre points d’information installés dans des maisons de quartier reçoivent les jeunes et leurs familles. Des migrants de retour y racontent leur parcours ; des conseillers présentent les programmes de formation, de mobilité et de recrutement légal ; un agent municipal aide à obtenir un extrait de naissance ou une carte d’identité, sans lesquels aucune démarche n’est possible.',
        'La mairie prête les locaux et détache un agent d’état civil deux jours par semaine ; l’association forme les conseillers et tient le registre des visites.',
      ].join('\n\n'),
      partners: [
        { name: 'Collectif Migrations Dakar', group: 'civil-society' },
        { name: 'Deux mairies d’arrondissement', group: 'local-government' },
        { name: 'Association des migrants de retour', group: 'civil-society' },
      ],
      origin: ['SN'],
      destination: ['ES', 'FR', 'IT'],
      implementation: ['SN'],
      level: 'local',
      themes: ['irregular-migration', 'protection'],
      sdgTargets: ['10.7', '16.9'],
      stage: 'evaluating',
      funding: [
        { source: 'Coopération décentralisée avec une ville partenaire', amount: 85_000, currency: 'EUR' },
        { source: 'Budget communal (locaux, agent d’état civil)', amount: 12_000_000, currency: 'XOF' },
      ],
      results:
        '4 200 visites en trois ans, dont 38 % de jeunes femmes ; 1 150 pièces d’état civil délivrées sur place ; 310 jeunes orientés vers une formation qualifiante et 47 vers un programme de mobilité légale.',
      indicators:
        'Visites par mois et par point ; part des jeunes femmes ; pièces d’état civil délivrées ; orientations vers une formation ou un programme légal, et leur suite à six mois.',
      worked:
        'Le témoignage des migrants de retour, plus crédible que toute brochure. L’agent d’état civil sur place : c’est souvent lui qui fait venir les familles. Les permanences en soirée.',
      didNotWork:
        'Les places dans les programmes légaux sont rares : on informe sur des voies très étroites, ce qui décourage certains. Le suivi à six mois est difficile, les numéros de téléphone changent. Les financements sont annuels et les conseillers formés s’en vont.',
      subQuestions: ['1.1', '2.4', '4.1'],
      contact: 'mariama@demo.palabre.org',
      attribution: 'organisation',
      visibility: 'public',
      language: 'fr',
    },
  },
  {
    key: 'nurses-skills',
    author: d('priya'),
    steps: PUBLISH,
    input: {
      title: 'Training nurses for two labour markets: a skills partnership steered with employers',
      summary:
        'Illustrative example. Nursing colleges in the country of origin train students to a curriculum recognised in three destination countries. Hospital employers there pay for the places of those who migrate; the same training strengthens the home health system for those who stay.',
      text: [
        'The model is what is often called a global skill partnership: the destination side pays for training in the country of origin, and part of the graduates stay at home. We run it with a consortium of hospital employers in three destination countries and six nursing colleges.',
        'A steering committee meets every quarter: employers, colleges, the health and labour ministries of the country of origin, a nurses’ union and the professional registration body of each destination. It sets intake numbers, curriculum changes, and the split between the “home” and “away” tracks.',
        'Students choose their track in the second year. Those on the away track take language training and clinical placements matching the destination’s registration rules. Employers pay their fees and recruitment costs: no fee is ever charged to the worker.',
      ].join('\n\n'),
      partners: [
        { name: 'Consortium of hospital employers in three countries', group: 'business' },
        { name: 'Six nursing colleges', group: 'civil-society' },
        { name: 'Health and labour ministries of the country of origin', group: 'government' },
        { name: 'Nurses’ union', group: 'civil-society' },
      ],
      origin: ['IN'],
      destination: ['DE', 'IE', 'GB'],
      implementation: ['IN', 'DE', 'IE', 'GB'],
      level: 'global',
      themes: ['skills', 'labour-governance'],
      sdgTargets: ['8.8', '10.7'],
      stage: 'steering',
      funding: [
        { source: 'Employer consortium (training places and recruitment costs)', amount: 2_400_000, currency: 'EUR' },
        { source: 'State nursing education budget (home track)', amount: 95_000_000, currency: 'INR' },
      ],
      results:
        'Three cohorts, 540 graduates: 210 on the away track, 330 employed at home. 92% of away-track nurses were registered within nine months of arrival, against about 60% of nurses recruited individually by the same hospitals.',
      indicators:
        'Time to professional registration after arrival; retention after two years, by track; recruitment costs paid by workers (target: none), checked by anonymous survey; vacancy rate in the regional hospitals of the partner colleges.',
      worked:
        'Employers on the steering committee from the start: curriculum changes were agreed before a cohort graduated, not after. Registration bodies in the room. No recruitment fees, and a survey to prove it.',
      didNotWork:
        'The home track depends on public hospital hiring, which froze for a year; some home-track graduates then left on their own, outside the scheme. Employers wanted more away-track places than the colleges could supervise.',
      subQuestions: ['1.3', '2.2', '3.1'],
      contact: 'priya@demo.palabre.org',
      attribution: 'chatham',
      visibility: 'public',
      language: 'en',
    },
  },
  {
    key: 'montreal-recognition',
    author: d('julien'),
    steps: PUBLISH,
    input: {
      title: 'Reconnaître les compétences des nouveaux arrivants : un guichet municipal et les ordres professionnels autour de la même table',
      summary:
        'Exemple fictif à but d’illustration. Une ville, des ordres professionnels, des employeurs et des organismes communautaires offrent un parcours unique de reconnaissance des diplômes et de l’expérience, appuyé par une plateforme en ligne. Diffusion restreinte : contient des données d’évaluation internes.',
      text: [
        'Les nouveaux arrivants qualifiés mettaient souvent plus de deux ans à trouver un emploi dans leur domaine, faute de savoir à quel ordre professionnel s’adresser et quelles pièces fournir.',
        'Le guichet municipal reçoit chaque personne, fait avec elle le bilan de ses diplômes et de son expérience, et l’oriente vers l’ordre compétent avec un dossier complet. Une plateforme en ligne permet de déposer les pièces une seule fois et de les partager, avec le consentement de la personne, avec l’ordre et les employeurs partenaires.',
        'Les organismes communautaires assurent l’accompagnement (francisation, stages d’observation) ; les employeurs offrent des stages rémunérés pendant la formation d’appoint exigée par l’ordre.',
      ].join('\n\n'),
      partners: [
        { name: 'Bureau municipal d’accueil des nouveaux arrivants', group: 'local-government' },
        { name: 'Quatre ordres professionnels (génie, soins infirmiers, comptabilité, enseignement)', group: 'civil-society' },
        { name: 'Chambre de commerce régionale', group: 'business' },
        { name: 'Organismes communautaires d’accueil', group: 'civil-society' },
      ],
      origin: ['DZ', 'MA', 'HT', 'CM', 'CO'],
      destination: ['CA'],
      implementation: ['CA'],
      level: 'local',
      themes: ['skills', 'technology'],
      sdgTargets: ['10.7', '8.8'],
      stage: 'reporting',
      funding: [
        { source: 'Ville (budget du guichet)', amount: 1_400_000, currency: 'CAD' },
        { source: 'Programme provincial d’intégration', amount: 2_100_000, currency: 'CAD' },
        { source: 'Employeurs partenaires (stages rémunérés)', amount: 600_000, currency: 'CAD' },
      ],
      results:
        'Pour les 1 900 personnes accompagnées, le délai médian entre l’arrivée et le permis d’exercice est passé de 26 à 15 mois ; 71 % travaillent dans leur domaine 24 mois après l’arrivée.',
      indicators:
        'Délai médian jusqu’au permis d’exercice, par ordre ; part en emploi qualifié à 12 et 24 mois ; dossiers incomplets renvoyés par les ordres ; consentements au partage des pièces retirés.',
      worked:
        'Un seul interlocuteur pour la personne. Les ordres ont accepté un dossier commun parce qu’ils l’avaient conçu avec nous. Le consentement explicite au partage des pièces a rassuré les participants.',
      didNotWork:
        'La plateforme exigeait au départ une adresse courriel et un téléphone intelligent : il a fallu garder une voie papier. Deux ordres n’ont jamais rejoint le projet. Le rapport public a dû omettre les données par pays d’origine, trop peu nombreuses pour rester anonymes.',
      subQuestions: ['2.4', '3.4', '5.1'],
      contact: 'julien@demo.palabre.org',
      attribution: 'named',
      visibility: 'restricted',
      language: 'fr',
    },
  },
  {
    key: 'seasonal-workers-network',
    author: d('julien'),
    steps: [{ action: 'submit' }],
    input: {
      title: 'Acompañamiento municipal de trabajadores agrícolas temporales: una alianza en construcción',
      summary:
        'Ejemplo ficticio con fines ilustrativos. Municipios rurales, consulados de los países de origen, productores agrícolas y una organización de apoyo a los trabajadores preparan una red de acogida para que ningún trabajador temporal quede sin información ni atención durante la temporada.',
      text: [
        'Cada temporada llegan a nuestra región cientos de trabajadores agrícolas temporales con un permiso ligado a un solo empleador. Viven en las granjas, lejos de los servicios, y muchos no hablan ni francés ni inglés.',
        'Estamos construyendo una alianza entre municipios rurales, consulados de los países de origen, asociaciones de productores y una organización de apoyo a los trabajadores. El primer año sirve para acordar quién hace qué: transporte a la clínica, información sobre derechos en español y en lenguas mayas, un número de atención y una visita consular por granja.',
        'Todavía no hay resultados de impacto: compartimos el diseño para recibir comentarios antes de la primera temporada.',
      ].join('\n\n'),
      partners: [
        { name: 'Municipios rurales de la región', group: 'local-government' },
        { name: 'Consulados de los países de origen', group: 'government' },
        { name: 'Asociación regional de productores agrícolas', group: 'business' },
        { name: 'Organización de apoyo a trabajadores agrícolas migrantes', group: 'civil-society' },
      ],
      origin: ['GT', 'MX'],
      destination: ['CA'],
      implementation: ['CA'],
      level: 'regional',
      themes: ['labour-governance', 'protection'],
      sdgTargets: ['8.8'],
      stage: 'building',
      funding: [
        { source: 'Fondo regional de desarrollo rural', amount: 180_000, currency: 'CAD' },
        { source: 'Aporte de las asociaciones de productores', amount: 45_000, currency: 'CAD' },
      ],
      results: 'Fase de diseño: convenio firmado por 7 municipios y 2 consulados; protocolo de atención aprobado; 40 productores adheridos.',
      indicators:
        'Previstos: trabajadores informados en su idioma durante la primera semana; tiempo de acceso a atención médica; visitas consulares realizadas; quejas recibidas y resueltas.',
      worked: 'Reunir a productores y defensores de los trabajadores en la misma mesa desde el diseño, con el municipio como facilitador neutral.',
      didNotWork:
        'Los productores pequeños no tienen tiempo para las reuniones, y los propios trabajadores aún no participan en el diseño porque llegan después.',
      subQuestions: ['1.1', '1.4'],
      contact: 'julien@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'es',
    },
  },
  {
    key: 'pre-departure-app',
    author: d('ana'),
    steps: REVIEW,
    input: {
      title: 'A pre-departure app with the registered contract and a complaints channel',
      summary:
        'Illustrative example. A government mobile application gives departing workers their registered contract, their rights in each destination and a way to report abuse, built with a telecom operator and tested by migrant associations abroad.',
      text: [
        'Workers leaving for jobs abroad used to receive a printed orientation booklet on departure day, and lost it. Complaints came late, by word of mouth, once the contract had already been broken.',
        'The app shows each worker the contract registered before departure, so a substitute contract on arrival is easy to spot. It holds the numbers of the labour attachés, a rights guide for each destination, and a complaints form that works offline and sends when a connection returns.',
        'A telecom operator carries the app’s data free of charge; migrant associations in two destinations test every release with workers before it goes out.',
      ].join('\n\n'),
      partners: [
        { name: 'Migrant workers’ department of the country of origin', group: 'government' },
        { name: 'Telecom operator (free data for the app)', group: 'business' },
        { name: 'Migrant associations in two destination countries', group: 'civil-society' },
      ],
      origin: ['PH'],
      destination: ['SA', 'HK', 'IT', 'CA'],
      implementation: ['PH'],
      level: 'global',
      themes: ['technology', 'protection'],
      sdgTargets: ['10.7', '8.8'],
      stage: 'implementing',
      funding: [
        { source: 'Government ICT budget', amount: 22_000_000, currency: 'PHP' },
        { source: 'Telecom operator (in kind)', amount: '', currency: '' },
      ],
      results:
        '310,000 downloads; 64% of departing workers used the app at least once after arrival. Complaints filed in the first month after arrival rose from 9% to 27% of all complaints: abuse is reported earlier.',
      indicators: 'Active users after arrival; time from arrival to first complaint; complaints settled within 60 days; contracts matched between departure and arrival.',
      worked: 'Testing with workers abroad before each release; the offline complaints form; free data.',
      didNotWork:
        'Some employers take workers’ phones away, which no app can solve. Older workers preferred voice messages, which came late. Personal data kept on the phone worried workers in two destinations.',
      subQuestions: ['3.4', '4.3'],
      contact: 'ana@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'en',
    },
  },
  {
    key: 'seasonal-recruitment-spain',
    author: d('mariama'),
    steps: [...REVIEW, { action: 'verify' }],
    input: {
      title: 'Contratación en origen para campañas agrícolas: documentos, contrato y billete de vuelta',
      summary:
        'Ejemplo ficticio con fines ilustrativos. Un programa de contratación en origen para campañas agrícolas entre África Occidental y el sur de Europa, dirigido por un comité mixto con empleadores, sindicatos y asociaciones: cada persona sale con documento de identidad, contrato visado y billete de vuelta.',
      text: [
        'Las campañas agrícolas del sur de Europa necesitan miles de trabajadoras y trabajadores cada temporada. Sin un canal legal, una parte llegaba por vías irregulares y trabajaba sin contrato.',
        'El programa selecciona a las personas en su país, con una comisión mixta de empleadores y servicios de empleo de ambos países. Antes de partir, cada persona tiene documento de identidad y pasaporte, un contrato visado y un billete de vuelta pagado por el empleador. Una asociación de la diáspora acompaña a las trabajadoras en destino.',
        'Un comité de seguimiento con sindicatos y asociaciones se reúne dos veces por campaña y puede excluir a un empleador que incumpla.',
      ].join('\n\n'),
      partners: [
        { name: 'Servicio público de empleo del país de origen', group: 'government' },
        { name: 'Asociaciones de empleadores agrícolas', group: 'business' },
        { name: 'Sindicato agrario', group: 'civil-society' },
        { name: 'Ayuntamientos de las zonas de cultivo', group: 'local-government' },
      ],
      origin: ['SN'],
      destination: ['ES'],
      implementation: ['SN', 'ES'],
      level: 'regional',
      themes: ['labour-governance', 'irregular-migration'],
      sdgTargets: ['10.7', '16.9', '8.8'],
      stage: 'steering',
      funding: [
        { source: 'Empleadores (viajes y alojamiento)', amount: 1_300_000, currency: 'EUR' },
        { source: 'Cooperación al desarrollo (selección y formación previa)', amount: 400_000, currency: 'EUR' },
        { source: 'Servicio de empleo del país de origen', amount: 150_000_000, currency: 'XOF' },
      ],
      results: 'Cuatro campañas y 2 600 contratos; 94 % de retorno al final del contrato y 61 % de repetición en la campaña siguiente; 38 % de mujeres.',
      indicators: 'Contratos visados por campaña; tasas de retorno y de repetición; quejas por incumplimiento y empleadores excluidos; remesas declaradas.',
      worked:
        'El billete de vuelta pagado y la posibilidad de volver la campaña siguiente: nadie tenía razones para quedarse en situación irregular. La expedición de documentos de identidad el mismo día de la selección.',
      didNotWork:
        'El alojamiento en algunas fincas era malo y el comité tardó en actuar. Las personas que no saben leer dependían de intermediarios para firmar. Muy pocas pasaron a un empleo estable tras varias campañas.',
      subQuestions: ['2.2', '3.2'],
      contact: 'mariama@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'es',
    },
  },
  {
    key: 'return-incubator',
    author: d('mariama'),
    steps: [
      ...REVIEW,
      {
        action: 'request_changes',
        note:
          'Merci pour ce cas. Pourriez-vous préciser combien des 85 entreprises fonctionnent encore après 12 mois, le montant du capital de départ par personne et le montant du fonds de réintégration ? Sans cela, il est difficile de juger des résultats.',
      },
    ],
    input: {
      title: 'Un incubateur municipal pour les migrants de retour',
      summary:
        'Exemple fictif à but d’illustration. Un incubateur municipal accompagne les migrants de retour qui créent une activité : formation à la gestion, petit capital de départ et mentorat par des commerçants du marché.',
      text: [
        'Les migrants de retour, volontaire ou non, arrivent souvent sans projet et sans réseau ; certains repartent dans l’année.',
        'L’incubateur, installé dans les locaux de la chambre des métiers, propose huit semaines de formation, un capital de démarrage et un mentor choisi parmi les commerçants du marché central. Les familles sont invitées à la séance de présentation des projets.',
      ].join('\n\n'),
      partners: [
        { name: 'Commune', group: 'local-government' },
        { name: 'Chambre des métiers', group: 'business' },
        { name: 'Collectif Migrations Dakar', group: 'civil-society' },
      ],
      origin: ['SN'],
      destination: ['LY', 'MA', 'ES'],
      implementation: ['SN'],
      level: 'local',
      themes: ['irregular-migration', 'skills'],
      sdgTargets: ['10.7', '8.8'],
      stage: 'evaluating',
      funding: [{ source: 'Fonds de réintégration (bailleur international)', amount: '', currency: '' }],
      results: '85 entreprises créées en deux ans, surtout dans le commerce, la couture et la transformation de produits agricoles.',
      indicators: 'Entreprises créées ; participants formés.',
      worked: 'Le mentorat par des commerçants du quartier, qui ouvrent aussi leur réseau de fournisseurs.',
      didNotWork: 'Le capital de départ arrive souvent après la formation, quand l’élan est retombé.',
      subQuestions: ['2.1', '4.2'],
      contact: 'mariama@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'fr',
    },
  },
  {
    key: 'matching-platform',
    author: d('priya'),
    steps: [
      ...REVIEW,
      {
        action: 'reject',
        note:
          'This describes a commercial product rather than a partnership: no partner has a role beyond using the platform, and the results are sales projections. You are welcome to submit the training partnership the platform grew out of.',
      },
    ],
    input: {
      title: 'An AI job-matching platform for migrant workers',
      summary:
        'Illustrative example. Our platform matches workers in countries of origin with overseas vacancies in seconds, using AI to read CVs and job descriptions.',
      text: [
        'Recruitment agencies spend weeks screening candidates. Our platform reads CVs in any language, scores them against overseas vacancies and books interviews automatically.',
        'Agencies subscribe monthly; workers register for free. We are now looking for agencies and employers in the Gulf and South-East Asia.',
      ].join('\n\n'),
      partners: [
        { name: 'Kerala Skills Exchange', group: 'business' },
        { name: 'Recruitment agencies (subscribers)', group: 'business' },
      ],
      origin: ['IN', 'NP', 'BD'],
      destination: ['AE', 'SA', 'SG'],
      implementation: ['IN'],
      level: 'global',
      themes: ['technology', 'skills'],
      sdgTargets: ['8.8'],
      stage: 'building',
      funding: [{ source: 'Seed investment', amount: 1_500_000, currency: 'USD' }],
      results: 'Projected: 50,000 placements in the first year.',
      indicators: 'Placements; subscribing agencies.',
      worked: 'Fast onboarding of agencies.',
      didNotWork: 'Workers without smartphones cannot register yet.',
      subQuestions: ['3.1'],
      contact: 'priya@demo.palabre.org',
      attribution: 'named',
      visibility: 'public',
      language: 'en',
    },
  },
  {
    key: 'workplace-french',
    author: d('julien'),
    steps: [], // a draft: half-written, never submitted
    input: {
      title: 'Workplace French classes run with small employers',
      summary:
        'Illustrative example, draft. The city pays French teachers who give classes on site, during working hours, in small and medium enterprises employing newcomers.',
      partners: [
        { name: 'City integration office', group: 'local-government' },
        { name: 'Small-business association', group: 'business' },
      ],
      implementation: ['CA'],
      level: 'local',
      themes: ['skills'],
      sdgTargets: ['8.8'],
      subQuestions: ['2.1'],
      attribution: 'named',
      visibility: 'public',
      language: 'en',
    },
  },
];

interface DemoFlag {
  reporter: string;
  /** A demo post by its key in demo-posts.ts, or a demo case study by its key above. */
  post?: string;
  caseStudy?: string;
  reason: FlagReason;
  note: string;
}

/** The off-topic post of demo-posts.ts, hidden by the moderator once flagged. */
const HIDDEN_POST = { key: 'p9', reason: 'Advertising unrelated to the consultation question (off-topic).' };

const FLAGS: DemoFlag[] = [
  { reporter: d('julien'), post: 'p9', reason: 'off_topic', note: 'An advert for a paid conference, nothing to do with the question.' },
  { reporter: d('mariama'), post: 'p9', reason: 'spam', note: 'Promotional code and link, looks like spam.' },
  {
    reporter: d('ana'), post: 'p2', reason: 'misinformation',
    note: 'The comparison with “three federal programmes” is not backed by any figure; could the author give a source?',
  },
  {
    reporter: d('priya'), post: 'p8', reason: 'off_topic',
    note: 'This is about monitoring agreements, not about data sources (3.2); it would fit better under 4.2.',
  },
  {
    reporter: d('julien'), caseStudy: 'nurses-skills', reason: 'misinformation',
    note: 'The 92% against 60% comparison has no source, and individually recruited nurses are not a comparable group.',
  },
  {
    reporter: d('ana'), caseStudy: 'nurses-skills', reason: 'off_topic',
    note: 'Parts of the text read like an advertisement for the consortium’s recruitment service.',
  },
];

export interface DemoCaseStudiesSummary {
  /** The demo case studies by state (as they are now), and how many this run created. */
  states: Partial<Record<CaseStudyStatus, number>>;
  caseStudies: number;
  newCaseStudies: number;
  /** Sub-question numbers with a featured demo case study. */
  featured: string[];
  flags: number;
  newFlags: number;
  openFlags: number;
  hiddenPosts: number;
}

export async function seedDemoCaseStudies(db: Kysely<Database>, consultationId: number): Promise<DemoCaseStudiesSummary> {
  const studies = createCaseStudyService(db);
  const moderation = createModerationService(db);
  const posts = createPostService(db, { publish: () => {}, postsPerMinute: 1_000 });

  const users = new Map((await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]));
  const userId = (email: string) => {
    const id = users.get(email);
    if (!id) throw new Error(`demo account ${email} is missing: run seedDemo first`);
    return id;
  };
  const moderatorId = userId(MODERATOR);
  const subQuestions = new Map(
    (
      await db
        .selectFrom('subQuestions')
        .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
        .select(['subQuestions.id', 'subQuestions.number'])
        .where('questions.consultationId', '=', consultationId)
        .execute()
    ).map((s) => [s.number, s.id]),
  );
  const subQuestionId = (number: string) => {
    const id = subQuestions.get(number);
    if (id === undefined) throw new Error(`sub-question ${number} not found`);
    return id;
  };
  const { phase } = await db.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirstOrThrow();

  const summary: DemoCaseStudiesSummary = { states: {}, caseStudies: 0, newCaseStudies: 0, featured: [], flags: 0, newFlags: 0, openFlags: 0, hiddenPosts: 0 };
  const ids = new Map<string, number>();

  for (const study of CASE_STUDIES) {
    const authorId = userId(study.author);
    const raw = { ...study.input, subQuestions: study.input.subQuestions.map(subQuestionId) };
    const existing = await db
      .selectFrom('caseStudies')
      .select(['id', 'status'])
      .where('consultationId', '=', consultationId)
      .where('authorId', '=', authorId)
      .where('title', '=', study.input.title)
      .orderBy('id')
      .executeTakeFirst();
    let id: number;
    let status: CaseStudyStatus;
    let next: number; // index of the next step to take
    if (existing) {
      ({ id, status } = existing);
      // Pick up where an interrupted run stopped; a state off the demo path (someone moderated it by hand) is left alone.
      const after = study.steps.map((s) => TRANSITIONS[s.action].to);
      next = after.lastIndexOf(status) + 1 || study.steps.length;
    } else {
      if (phase !== 'open') continue; // case studies are written only while the consultation is open
      const submit = study.steps[0]?.action === 'submit';
      id = await studies.save(authorId, consultationId, raw, { submit });
      status = submit ? 'submitted' : 'draft';
      next = submit ? 1 : 0;
      summary.newCaseStudies++;
    }
    for (const step of study.steps.slice(next)) {
      const actor = TRANSITIONS[step.action].by === 'author' ? authorId : moderatorId;
      status = (await studies.transition(actor, id, step.action, step.note ?? null)).status;
    }
    if (status === 'published') {
      for (const number of study.featureOn ?? []) {
        await studies.feature(moderatorId, id, subQuestionId(number), true);
        summary.featured.push(number);
      }
    }
    ids.set(study.key, id);
    summary.states[status] = (summary.states[status] ?? 0) + 1;
    summary.caseStudies++;
  }

  // Demo posts by key (demo-posts.ts gives them the client id `demo-<key>-seed`).
  const postIds = new Map(
    (
      await db
        .selectFrom('posts')
        .innerJoin('threads', 'threads.id', 'posts.threadId')
        .select(['posts.id', 'posts.clientId'])
        .where('threads.consultationId', '=', consultationId)
        .where('posts.clientId', 'like', 'demo-%-seed')
        .execute()
    ).map((p) => [p.clientId.replace(/^demo-(.*)-seed$/, '$1'), p.id]),
  );

  for (const flag of FLAGS) {
    const subjectType: FlagSubject = flag.post ? 'post' : 'case_study';
    const subjectId = flag.post ? postIds.get(flag.post) : ids.get(flag.caseStudy!);
    if (subjectId === undefined) continue;
    const reporterId = userId(flag.reporter);
    const earlier = await db
      .selectFrom('flags')
      .select('id')
      .where('subjectType', '=', subjectType)
      .where('subjectId', '=', subjectId)
      .where('reporterId', '=', reporterId)
      .executeTakeFirst();
    if (!earlier) {
      const { created } = await moderation.flag(reporterId, { subjectType, subjectId, reason: flag.reason, note: flag.note });
      if (created) summary.newFlags++;
    }
    summary.flags++;
  }

  const hiddenId = postIds.get(HIDDEN_POST.key);
  if (hiddenId !== undefined) {
    const post = await db.selectFrom('posts').select('status').where('id', '=', hiddenId).executeTakeFirstOrThrow();
    const hiddenBefore = await db
      .selectFrom('auditLog')
      .select('id')
      .where('action', '=', 'post.hide')
      .where('subjectType', '=', 'post')
      .where('subjectId', '=', String(hiddenId))
      .executeTakeFirst();
    // Hidden once only: a moderator who restored it by hand is not overruled by a re-run.
    if (post.status === 'visible' && !hiddenBefore) await posts.moderate(moderatorId, hiddenId, true, HIDDEN_POST.reason);
    if ((await db.selectFrom('posts').select('status').where('id', '=', hiddenId).executeTakeFirstOrThrow()).status === 'hidden') summary.hiddenPosts++;
  }

  const { open } = await db
    .selectFrom('flags')
    .select((eb) => eb.fn.countAll<string | number>().as('open'))
    .where('consultationId', '=', consultationId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  summary.openFlags = Number(open);
  return summary;
}
