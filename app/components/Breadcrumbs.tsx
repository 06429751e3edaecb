import { Link } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { UserText } from './UserText';

export function Breadcrumbs({ items }: { items: { label: string; to?: string }[] }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('nav.breadcrumb')} className="breadcrumbs">
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            {/* Labels are often titles users wrote (a case study's, a note's): isolated, and they wrap. */}
            {item.to ? (
              <Link to={item.to}>
                <UserText>{item.label}</UserText>
              </Link>
            ) : (
              <span aria-current="page">
                <UserText>{item.label}</UserText>
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
