/**
 * The shape of a consultation's content file (db/seeds/*.json), validated before seeding.
 * Isomorphic: the same types describe what loaders hand to the pages.
 */
import { z } from 'zod';

export const LANGUAGES = ['fr', 'en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in some of the consultation's languages; the source language is always present. */
export const localizedText = z.object({ fr: z.string(), en: z.string().optional(), es: z.string().optional() });
export type LocalizedText = z.infer<typeof localizedText>;

const labelled = localizedText.extend({ id: z.string().min(1) });
export type Labelled = z.infer<typeof labelled>;

const keyFigure = z.object({
  id: z.string().min(1),
  value: z.number(),
  /** A unit in the source language only ("milliards USD", "%"), or in several. */
  unit: z.union([z.string(), localizedText]),
  fr: z.string(),
  en: z.string().optional(),
  es: z.string().optional(),
});
export type KeyFigure = z.infer<typeof keyFigure>;

const subQuestion = localizedText.extend({ number: z.string().regex(/^\d+\.\d+$/) });

const question = localizedText.extend({
  number: z.string().regex(/^\d+$/),
  intro: localizedText.partial().default({}),
  subQuestions: z.array(subQuestion).min(1),
});

export const consultationContent = z.object({
  slug: z.string().regex(/^[a-z0-9-]+$/),
  title: localizedText,
  /** The forum's name: in the source language only, or translated too. */
  forum: z.union([z.string(), localizedText]).default(''),
  languages: z.array(z.enum(LANGUAGES)).min(1),
  sourceLanguage: z.enum(LANGUAGES),
  /** Paragraphs, in the source language (the note was published in French only). */
  background: z.array(z.string()),
  themes: z.array(labelled),
  stakeholderGroups: z.array(labelled).min(1),
  sdgTargets: z.array(labelled),
  keyFigures: z.array(keyFigure),
  questions: z.array(question).min(1),
});
export type ConsultationContent = z.infer<typeof consultationContent>;
