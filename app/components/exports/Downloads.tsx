/**
 * Download buttons for exports (docs/decisions/0017).
 *
 * `NoteDownloads`: plain links to a note's Word, PDF and Markdown files (a note renders in well
 * under a second). `ReportDownloads`: a GET form — the frame language and one button per
 * format — that downloads the consultation report (or a question's part) without JavaScript;
 * with it, the form starts the export as a background job and shows its progress in a live
 * region, then downloads the file when it is ready (a report can take several seconds). Plus
 * links to the data (CSV, JSON) where the page has some.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../../i18n/config';

const DOCUMENT_FORMATS = ['docx', 'pdf', 'md'] as const;

export function NoteDownloads({ href, language }: { href: string; language: string }) {
  const { t } = useTranslation();
  return (
    <section className="downloads" aria-labelledby="note-downloads-heading" data-testid="note-downloads">
      <h3 id="note-downloads-heading" className="downloads-title">
        {t('exports.ui.noteHeading')}
      </h3>
      <ul className="downloads-list">
        {DOCUMENT_FORMATS.map((format) => (
          <li key={format}>
            <a href={`${href}/export/${format}?lang=${language}`} download data-testid={`note-download-${format}`}>
              {t(`exports.ui.${format}`)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface JobStatus {
  id: string;
  state: 'running' | 'ready' | 'failed';
  stage: string;
  done: number;
  total: number;
  fileName: string | null;
  errorKey: string | null;
}

/** A data file's links: `[label, href without format]`. */
export type DataLinks = { label: string; href: string }[];

export function ReportDownloads({
  slug,
  question,
  language,
  heading,
  data = [],
}: {
  slug: string;
  question?: string;
  language: string;
  heading: string;
  data?: DataLinks;
}) {
  const { t } = useTranslation();
  const [job, setJob] = useState<JobStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Set at the click, before any answer: a double click's second click comes before the first
  // POST has answered (the `job` state is still empty then), and must not start a second export.
  const busy = useRef(false);
  const id = question ? `report-q${question.replace(/\W/g, '-')}` : 'report';
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  async function poll(jobId: string) {
    let body: { job?: JobStatus; error?: string };
    try {
      const response = await fetch(`/c/${slug}/exports/${jobId}`, { headers: { accept: 'application/json' } });
      body = (await response.json()) as typeof body;
    } catch {
      // A dropped connection or a server restarting: ask again a little later.
      timer.current = setTimeout(() => void poll(jobId), 2_000);
      return;
    }
    if (!body.job) {
      // The server answered that there is no such job for this person: it restarted and lost it
      // (not found), or they signed out in another tab (sign in). Asking again would never end.
      busy.current = false;
      setJob(null);
      setError(body.error === 'exports.errors.signIn' ? body.error : 'exports.errors.jobLost');
      return;
    }
    setJob(body.job);
    if (body.job.state !== 'running') busy.current = false;
    if (body.job.state === 'ready') window.location.assign(`/c/${slug}/exports/${jobId}/file`);
    else if (body.job.state === 'failed') setError(body.job.errorKey ?? 'exports.errors.failed');
    else timer.current = setTimeout(() => void poll(jobId), 500);
  }

  async function start(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const format = submitter?.value;
    if (!format) return; // let the browser do it
    event.preventDefault();
    if (busy.current) return; // a double click starts one export
    busy.current = true;
    setError(null);
    const form = new FormData(event.currentTarget);
    const body = new FormData();
    body.set('format', format);
    body.set('lang', String(form.get('lang') ?? language));
    if (question) body.set('question', question);
    try {
      const response = await fetch(`/c/${slug}/exports`, { method: 'POST', body });
      const answer = (await response.json()) as { job?: JobStatus; error?: string };
      if (!answer.job) {
        busy.current = false;
        return setError(answer.error ?? 'exports.errors.failed');
      }
      setJob(answer.job);
      void poll(answer.job.id);
    } catch {
      busy.current = false;
      setError('exports.errors.failed');
    }
  }

  // The job tells its stage as a key: named here in the page's language (not the report's).
  const stageLabel = (stage: string) => (stage === 'rendering' ? t('exports.ui.rendering') : t(`exports.report.stages.${stage}`, { defaultValue: t('exports.ui.preparing') }));
  const running = job?.state === 'running';
  return (
    <section className="downloads" aria-labelledby={`${id}-heading`} data-testid={`downloads-${id}`}>
      <h2 id={`${id}-heading`} className="downloads-title">
        {heading}
      </h2>
      <form method="get" action={`/c/${slug}/report/docx`} className="downloads-form" onSubmit={(event) => void start(event)}>
        {question ? <input type="hidden" name="question" value={question} /> : null}
        <div className="field">
          <label htmlFor={`${id}-lang`}>{t('exports.ui.reportLanguage')}</label>
          <select id={`${id}-lang`} name="lang" defaultValue={language}>
            {SUPPORTED_LANGUAGES.map((lang) => (
              <option key={lang} value={lang} lang={lang}>
                {LANGUAGE_NAMES[lang]}
              </option>
            ))}
          </select>
        </div>
        <div className="downloads-buttons">
          {DOCUMENT_FORMATS.map((format) => (
            <button key={format} type="submit" name="format" value={format} formAction={`/c/${slug}/report/${format}`} className="button button-secondary" aria-disabled={running || undefined} data-testid={`${id}-${format}`}>
              {t(`exports.ui.${format}`)}
            </button>
          ))}
        </div>
      </form>
      <div role="status" aria-live="polite" className="downloads-status" data-testid={`${id}-status`}>
        {running ? (
          <>
            <span>{job.stage ? t('exports.ui.progress', { stage: stageLabel(job.stage), done: job.done, total: job.total }) : t('exports.ui.preparing')}</span>{' '}
            <progress max={Math.max(job.total, 1)} value={job.done} aria-label={t('exports.ui.preparing')} />
          </>
        ) : job?.state === 'ready' ? (
          t('exports.ui.ready')
        ) : null}
        {error ? <span className="field-error">{`${t('exports.ui.failed')} ${t(error)}`}</span> : null}
      </div>
      {data.length > 0 ? (
        <>
          <h3 className="downloads-subtitle">{t('exports.ui.data')}</h3>
          <ul className="downloads-list">
            {data.flatMap(({ label, href }) =>
              (['csv', 'json'] as const).map((format) => (
                <li key={`${href}-${format}`}>
                  <a href={`${href}/${format}?lang=${language}`} download data-testid={`download-${href.split('/').pop()}-${format}`}>
                    {`${label} (${t(`exports.ui.${format}`)})`}
                  </a>
                </li>
              )),
            )}
          </ul>
        </>
      ) : null}
    </section>
  );
}
