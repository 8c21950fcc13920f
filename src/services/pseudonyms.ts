// Researchers' pseudonyms: a keyed HMAC of the prison number, so the same man has the same pseudonym
// in every extract and import, and nobody without the key can turn one back into a prison number.
import { createHmac } from 'node:crypto';

export function pseudonymFor(prisonNumber: string, key: string): string {
  const digest = createHmac('sha256', key).update(prisonNumber.trim().toUpperCase()).digest('hex');
  return `P${digest.slice(0, 20)}`;
}
