// What caused a session to be cancelled. Kept with each cancellation so the operational audit can count the sessions
// lost for want of resources (staff or a room), which a free-text reason alone cannot be counted by.
export const cancellationCauses = [
  { id: 'staff', label: 'Facilitators were not available' },
  { id: 'room', label: 'No room was available' },
  { id: 'regime', label: 'The prison regime (for example a lockdown, an alarm or a search)' },
  { id: 'participants', label: 'Too few men could attend' },
  { id: 'other', label: 'Something else' },
] as const;

export type CancellationCause = (typeof cancellationCauses)[number]['id'];

export const cancellationCauseIds = cancellationCauses.map((c) => c.id) as [CancellationCause, ...CancellationCause[]];

/** The causes that mean the programme lacked resources: the audit's "resources" indicator counts these. */
export const resourceCauses: ReadonlySet<string> = new Set<CancellationCause>(['staff', 'room']);

export function cancellationCauseLabel(id: string | null): string {
  return cancellationCauses.find((c) => c.id === id)?.label ?? 'Not recorded';
}
