/**
 * Zod schemas for account forms. Messages are i18n keys (see app/i18n/locales), so that the
 * same schema serves every language, form actions and socket events alike.
 */
import { z } from 'zod';
import { ATTRIBUTIONS } from '../contributions/attribution';
import { NAME_MAX, nameText, ORGANISATION_MAX } from '../text/fields';

export const emailField = z
  .string({ error: 'errors.required' })
  .trim()
  .toLowerCase()
  .min(1, { error: 'errors.required' })
  .max(254, { error: 'errors.tooLong' })
  .pipe(z.email({ error: 'errors.email' }));

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

export const newPasswordField = z
  .string({ error: 'errors.required' })
  .min(1, { error: 'errors.required' })
  .min(PASSWORD_MIN, { error: 'errors.passwordTooShort' })
  .max(PASSWORD_MAX, { error: 'errors.tooLong' });

export interface RegisterOptions {
  stakeholderGroups: readonly string[];
  isCountry: (code: string) => boolean;
}

export function registerSchema({ stakeholderGroups, isCountry }: RegisterOptions) {
  return z.object({
    name: nameText(NAME_MAX),
    email: emailField,
    password: newPasswordField,
    organisation: nameText(ORGANISATION_MAX),
    stakeholderGroup: z
      .string({ error: 'errors.required' })
      .refine((v) => v !== '', { error: 'errors.required' })
      .refine((v) => v === '' || stakeholderGroups.includes(v), { error: 'errors.choice' }),
    country: z
      .string({ error: 'errors.required' })
      .trim()
      .toUpperCase()
      .refine((v) => v !== '', { error: 'errors.required' })
      .refine((v) => v === '' || isCountry(v), { error: 'errors.country' }),
  });
}
export type RegisterInput = z.infer<ReturnType<typeof registerSchema>>;

export const signInSchema = z.object({
  email: emailField,
  password: z
    .string({ error: 'errors.required' })
    .min(1, { error: 'errors.required' })
    .max(PASSWORD_MAX, { error: 'errors.tooLong' }),
});
export type SignInInput = z.infer<typeof signInSchema>;

export const setRoleSchema = z.object({
  userId: z.string({ error: 'errors.required' }).min(1, { error: 'errors.required' }).max(64),
  role: z.enum(['participant', 'moderator', 'rapporteur', 'admin'], { error: 'errors.choice' }),
});
export type SetRoleInput = z.infer<typeof setRoleSchema>;

/** Field → first message key, for forms. */
export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_form');
    out[field] ??= issue.message;
  }
  return out;
}

export const settingsSchema = z.object({
  defaultAttribution: z.enum(ATTRIBUTIONS, { error: 'errors.choice' }),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: 'errors.required' }).min(1, { error: 'errors.required' }).max(PASSWORD_MAX, { error: 'errors.tooLong' }),
    newPassword: newPasswordField,
    confirmPassword: z.string({ error: 'errors.required' }).min(1, { error: 'errors.required' }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { error: 'errors.passwordMismatch', path: ['confirmPassword'] });
