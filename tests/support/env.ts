/**
 * What the test environment offers: PostgreSQL (DATABASE_URL=postgres://…) and Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium). Under CI=true neither may be missing.
 */
import fs from 'node:fs';

export const CI = process.env.CI === 'true';
export const POSTGRES_URL = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);

/** Whether `command` is on the PATH. */
const onPath = (command: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(`${dir}/${command}`));
/** poppler-utils (pdftotext, pdffonts, pdfinfo): exported PDFs are read back with them. */
export const HAS_POPPLER = onPath('pdftotext') && onPath('pdffonts') && onPath('pdfinfo');
/** LibreOffice (soffice): a second reader of exported Word files. */
export const HAS_LIBREOFFICE = onPath('soffice');
/** redis-server: the cluster tests start their own to stop and restart it (tests/support/cluster.ts). */
export const HAS_REDIS_SERVER = onPath('redis-server');

export const SKIP_EXPORT_READERS_MESSAGE =
  'Export tests that read files back are skipped: ' +
  [HAS_POPPLER ? '' : 'poppler-utils (pdftotext, pdffonts, pdfinfo)', HAS_LIBREOFFICE ? '' : 'LibreOffice (soffice)'].filter(Boolean).join(' and ') +
  ' missing. Install them (Debian: apt-get install -y poppler-utils libreoffice-writer-nogui) to run them.';

export const SKIP_CHROMIUM_MESSAGE =
  `Browser tests skipped: no Chromium at ${CHROMIUM_PATH}. ` +
  'Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to run them.';
export const SKIP_REDIS_SERVER_MESSAGE =
  'Cluster tests skipped: no redis-server on the PATH. Install it (Debian: apt-get install -y redis-server) to run them.';
export const SKIP_CLUSTER_MESSAGE =
  'Cluster tests (several nodes on one PostgreSQL and one Redis) skipped: DATABASE_URL is not a postgres:// URL. ' +
  'Run them with `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test`.';
export const SKIP_POSTGRES_MESSAGE =
  'PostgreSQL runs skipped: DATABASE_URL is not a postgres:// URL. ' +
  'Run `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test` to run every suite on PostgreSQL too.';
