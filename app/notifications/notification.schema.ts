/**
 * Zod schemas for the notices page's forms. Messages are i18n keys.
 */
import { z } from 'zod';

/** "Mark all as read": the form carries nothing but its intent. */
export const markReadSchema = z.object({});
