// Schemas shared by the API routes: the error body every 4xx answer has, and a record id in the path.
import { z } from 'zod';

/** Ids the database cannot hold are answered 404 before validation (the identifiers plugin). */
export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const apiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    /** A page that helps (the record the input clashes with, where missing facts are recorded). */
    link: z.object({ href: z.string(), text: z.string() }).optional(),
  }),
});
