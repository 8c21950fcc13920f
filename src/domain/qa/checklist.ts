// The clinical review's checklist (issue 13): the material the source document says clinical quality is measured
// by examining besides the recordings — "products" (work completed by participants), logs and reports by programme
// staff, and the supervisor's records (observational notes and supervision records). Each item, once examined, is
// kept with the auditor's notes; the ratings' evidence cites items by id.
export const checklistItems = [
  { id: 'participants_work', label: 'Participants’ work', hint: 'The “products”: work the men completed in and between sessions.' },
  { id: 'session_logs', label: 'Session logs', hint: 'The facilitators’ logs of the period’s sessions.' },
  { id: 'end_of_treatment_reports', label: 'End-of-treatment reports', hint: 'The reports on the men who finished or left in the period.' },
  { id: 'supervisor_records', label: 'Supervisor’s records', hint: 'Supervision records and observational notes on the facilitators who delivered.' },
] as const;

export type ChecklistItemId = (typeof checklistItems)[number]['id'];

export function isChecklistItem(id: string): id is ChecklistItemId {
  return checklistItems.some((i) => i.id === id);
}

export function checklistItemLabel(id: ChecklistItemId): string {
  return checklistItems.find((i) => i.id === id)!.label;
}
