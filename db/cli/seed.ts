/**
 * `npm run db:seed`: seeds the GFMD 2020 consultation (idempotent).
 * `npm run db:seed -- --demo`: also adds demo users of every role and prints their passwords, and
 * demo contributions, case studies (in every review state), flags, synthesis notes and the
 * compilations of questions 1 and 2.
 */
import { parseArgs } from 'node:util';
import { seedConsultation } from '../seeds/consultation';
import { seedDemo } from '../seeds/demo';
import { seedDemoCaseStudies } from '../seeds/demo-case-studies';
import { seedDemoCompilation } from '../seeds/demo-compilation';
import { seedDemoNotes } from '../seeds/demo-notes';
import { seedDemoPosts } from '../seeds/demo-posts';
import { openMigratedDatabase, runCli } from './open';

/**
 * Columns padded with spaces, without quotes or borders (console.table quotes strings, and a
 * password copied with its quotes fails), so each value can be double-clicked and copied alone.
 */
function plainTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

runCli(async () => {
  const { values } = parseArgs({ options: { demo: { type: 'boolean', default: false } } });
  const handle = await openMigratedDatabase();
  try {
    const result = await seedConsultation(handle.db);
    console.log(`consultation seeded: ${result.inserted} rows added, ${result.updated} updated`);
    if (values.demo) {
      const accounts = await seedDemo(handle.db, result.consultationId);
      console.log('\nDemo accounts (passwords are new at every run):\n');
      console.log(plainTable(['role', 'group', 'email', 'password'], accounts.map(({ email, password, role, group }) => [role, group, email, password])));
      const posts = await seedDemoPosts(handle.db, result.consultationId);
      console.log(`\n${posts} demo contributions in threads 1.1, 2.4, 3.2, 3.3, 4.1 and 4.2 (try /c/gfmd-2020-partnerships/q/2/2.4)`);
      const studies = await seedDemoCaseStudies(handle.db, result.consultationId);
      const states = Object.entries(studies.states).map(([state, n]) => `${n} ${state}`).join(', ');
      console.log(`${studies.caseStudies} demo case studies, ${studies.newCaseStudies} new (${states}); featured on ${studies.featured.join(', ') || 'none'}`);
      console.log(`${studies.flags} demo flags, ${studies.newFlags} new (${studies.openFlags} open in the moderators' queue); ${studies.hiddenPosts} off-topic post hidden`);
      const notes = await seedDemoNotes(handle.db, result.consultationId);
      console.log(`${notes.notes} demo synthesis notes, ${notes.created} new (try /c/gfmd-2020-partnerships/notes; question 3's is signed off: download it as Word, PDF or Markdown from its page)`);
      const compiled = await seedDemoCompilation(handle.db, result.consultationId);
      console.log(
        `${compiled.keyPoints} demo key points with ${compiled.clips} clips in questions 1 and 2, ${compiled.merged} merged, ${compiled.stale} clip whose post changed (try /c/gfmd-2020-partnerships/q/2/compilation as the moderator)`,
      );
      console.log('Search: try /c/gfmd-2020-partnerships/search?q=compétences, "recrutement équitable", ciudad or visa* (as anyone; the moderator also finds the hidden advert)');
    }
  } finally {
    await handle.close();
  }
});
