/**
 * `npm run user:create -- --email … --name … --role admin [--password …]`
 * Creates an account (or, with an existing email, gives it the role) so that the first admin
 * can be bootstrapped from the command line. Prompts for the password unless --password.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { fieldErrors, registerSchema } from '../../app/accounts/account.schema';
import { createAccountService, applyRole } from '../../app/accounts/accounts.server';
import { isCountry } from '../../app/accounts/countries.server';
import { ROLES, type Role } from '../../app/accounts/roles';
import { createConsultationService } from '../../app/consultations/consultations.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { CliError, openMigratedDatabase, runCli } from '../../db/cli/open';

const usage =
  'usage: npm run user:create -- --email EMAIL --name NAME [--role participant|moderator|rapporteur|admin]\n' +
  '       [--organisation ORG] [--group government|civil-society|business|local-government] [--country CC] [--password PW]';

runCli(async () => {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'participant' },
      organisation: { type: 'string', default: 'GFMD Support Unit' },
      group: { type: 'string', default: 'government' },
      country: { type: 'string', default: 'CH' },
      password: { type: 'string' },
    },
  });
  if (!values.email || !values.name) throw new CliError(`--email and --name are required\n${usage}`);
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);

  const handle = await openMigratedDatabase();
  try {
    const { consultationId } = await seedConsultation(handle.db);
    const consultation = (await createConsultationService(handle.db).getDefault())!;
    const accounts = createAccountService(handle.db);
    const existing = await accounts.findByEmail(values.email);
    let userId = existing?.id;
    if (!userId) {
      const password = values.password ?? (await promptPassword());
      const parsed = registerSchema({
        stakeholderGroups: consultation.stakeholderGroups.map((g) => g.id),
        isCountry,
      }).safeParse({
        email: values.email,
        name: values.name,
        password,
        organisation: values.organisation,
        stakeholderGroup: values.group,
        country: values.country,
      });
      if (!parsed.success) {
        const problems = Object.entries(fieldErrors(parsed.error)).map(([f, key]) => `${f}: ${key.replace('errors.', '')}`);
        throw new CliError(`invalid account: ${problems.join(', ')}`);
      }
      userId = await accounts.register(parsed.data);
      console.log(`created ${values.email}`);
    }
    const from = await accounts.roleIn(userId, consultationId);
    if (from !== role) {
      await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: userId!, consultationId, from, to: role }));
    }
    console.log(`${values.email} is ${role}`);
  } finally {
    await handle.close();
  }
});

/** Reads a password from the terminal without echoing it (twice, to catch typos). */
async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for a password: pass --password');
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(question);
      const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
      const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: true });
      rl.question('', (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password (at least 10 characters): ');
  const second = await ask('Password again: ');
  if (first !== second) throw new CliError('the two passwords differ');
  return first;
}
