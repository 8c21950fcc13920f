-- The facilitators' end-of-treatment summary of a man in a group: a short account per risk domain of the
-- programme (keyed by the domain's id in the programme definition), printed in his end-of-treatment report.
CREATE TABLE treatment_reports (
  member_id integer PRIMARY KEY REFERENCES group_members(id) ON DELETE CASCADE,
  summaries jsonb NOT NULL,
  written_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
