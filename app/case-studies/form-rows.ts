/**
 * Repeated rows of a form (`partners.0.name`, `funding.1.amount`…), in index order, every field
 * a string ('' when absent). Isomorphic, so that the service's error paths (`partners.1.group`,
 * caseStudyFromForm) and the values the form shows again (form-values.ts) count rows alike.
 */
import { isVisuallyEmpty } from '../text/policy';

export function formRows<K extends string>(form: FormData, prefix: string, fields: readonly K[]): Record<K, string>[] {
  const pattern = new RegExp(`^${prefix}\\.(\\d{1,3})\\.`);
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const match = pattern.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((i) =>
      Object.fromEntries(
        fields.map((f) => {
          const value = form.get(`${prefix}.${i}.${f}`);
          return [f, typeof value === 'string' ? value : ''];
        }),
      ) as Record<K, string>,
    );
}

/** A row left blank (the form's spare). */
export function isBlankRow(row: object): boolean {
  return Object.values(row).every((v) => typeof v !== 'string' || isVisuallyEmpty(v));
}
