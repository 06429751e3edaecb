import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useTranslation } from 'react-i18next';

export async function loader({ context }: LoaderFunctionArgs) {
  const consultation = await context.services.consultations.getDefault();
  if (consultation) throw redirect(`/c/${consultation.slug}`);
  return { title: context.t('app.name') };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function Index() {
  const { t } = useTranslation();
  return (
    <div className="page page-narrow">
      <h1>{t('app.name')}</h1>
      <p>{t('landing.noConsultation')}</p>
    </div>
  );
}
