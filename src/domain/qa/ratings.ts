// The clinical audit's ratings (issue 13). The source document: "Each programme is rated against two criteria:
// (1) the quality of delivery of the programme and (2) the quality of treatment management." Each is rated on a
// four-point scale whose levels and descriptors are programme data (`audit.ratingScale`, best level first).
import type { ProgrammeDefinition } from '../programme/definition.js';

export const ratingCriteria = [
  { id: 'delivery', label: 'Quality of delivery' },
  { id: 'treatment_management', label: 'Quality of treatment management' },
] as const;

export type RatingCriterionId = (typeof ratingCriteria)[number]['id'];

export interface RatingLevel {
  id: string;
  label: string;
  descriptors: Record<RatingCriterionId, string>;
}

/** The scale a programme file written before sotp rated audits is read with: the four levels. */
export const defaultRatingScale: readonly RatingLevel[] = [
  {
    id: 'exceeds',
    label: 'Exceeds the standard',
    descriptors: {
      delivery: 'Delivered as the manual intends, with skilled, responsive facilitation throughout.',
      treatment_management: 'Supervision, observation and paperwork complete, on time and followed up.',
    },
  },
  {
    id: 'meets',
    label: 'Meets the standard',
    descriptors: {
      delivery: 'Delivered as the manual intends, with minor lapses that do not affect the treatment.',
      treatment_management: 'Supervision at the interval with records; paperwork complete with minor delays.',
    },
  },
  {
    id: 'partly_meets',
    label: 'Partly meets the standard',
    descriptors: {
      delivery: 'Some sessions depart from the manual or miss their targets.',
      treatment_management: 'Supervision late or unrecorded for some, or paperwork often late.',
    },
  },
  {
    id: 'does_not_meet',
    label: 'Does not meet the standard',
    descriptors: {
      delivery: 'Sessions not delivered as the manual intends.',
      treatment_management: 'Facilitators unsupervised, sessions unwatched or records missing.',
    },
  },
];

/** A programme's rating scale, best level first. */
export function ratingScale(definition: Pick<ProgrammeDefinition, 'audit'>): readonly RatingLevel[] {
  return definition.audit?.ratingScale ?? defaultRatingScale;
}

/** A level's rank on the scale: 1 for the best. */
export function levelRank(scale: readonly RatingLevel[], levelId: string): number | null {
  const i = scale.findIndex((l) => l.id === levelId);
  return i < 0 ? null : i + 1;
}
