// Schemas shared by the API routes: the error body every 4xx answer has.
import { z } from 'zod';

export const apiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    /** A page that helps (the record the input clashes with, where missing facts are recorded). */
    link: z.object({ href: z.string(), text: z.string() }).optional(),
  }),
});
