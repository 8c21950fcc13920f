// Demo psychometric tests: the demo assessor tests the men of the demo groups before treatment, and about half of
// them after it, with the illustrative instruments, so the man's page and the change summaries have figures to show.
// Answers are deterministic and vary: most men improve, some do not, a few get worse, a few miss an item.
import { asc } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { groupMembers } from '../db/schema.js';
import type { Actor } from './access.js';
import { latestInstruments, recordTest, responseField } from './psychometrics.js';

const daysBefore = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

export async function seedDemoPsychometrics(db: Db, assessor: Actor, today: string): Promise<number> {
  const members = await db.selectDistinct({ personId: groupMembers.personId }).from(groupMembers).orderBy(asc(groupMembers.personId));
  let recorded = 0;
  for (const [n, { personId }] of members.entries()) {
    // A gain in points per item from before to after (negative: worse), the same across his scales.
    const gain = [2, 2, 1, 1, 1, 0, -1][n % 7];
    for (const instrument of latestInstruments()) {
      const { min, max } = instrument.responseScale;
      const lowerBetter = instrument.scales.every((s) => s.better === 'lower');
      const clamp = (v: number) => Math.min(max, Math.max(min, v));
      // A keyed answer (higher = worse when lower is better) is written as the raw answer the man gave.
      const raw = (keyed: number, reverse: boolean) => (reverse ? min + max - keyed : keyed);
      const pre = instrument.items.map((_, i) => (lowerBetter ? max - ((n + i) % 3) : min + ((n + i) % 3)));
      const occasions: Array<['pre' | 'post', number[], number]> = [['pre', pre, 150]];
      if (n % 2 === 0) occasions.push(['post', pre.map((k) => clamp(lowerBetter ? k - gain : k + gain)), 7]);
      for (const [occasion, keyed, ago] of occasions) {
        const answers = Object.fromEntries(
          instrument.items.map((item, i) => [responseField(item.id), n % 5 === 3 && i === 0 ? '' : String(raw(keyed[i], item.reverseKeyed))]),
        );
        await recordTest(db, assessor, personId, { instrument: instrument.id, occasion, administeredOn: daysBefore(today, ago), ...answers }, today);
        recorded++;
      }
    }
  }
  return recorded;
}
