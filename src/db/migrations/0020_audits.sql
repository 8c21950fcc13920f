-- Audits (issue 13): an auditor audits one site and programme over a period. The status follows the audit workflow
-- (src/domain/qa/audit-workflow.ts). Drawing the recording sample starts the audit; the seed and the frame (every
-- recording sampled from, as the draw saw it: session, group, block, date and facilitators) are kept with it, so the
-- sample can be drawn again from them and checked, even after a recording's file is purged or a session changes.
CREATE TABLE audits (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites(id),
  programme_id text NOT NULL CHECK (programme_id ~ '^[a-z0-9][a-z0-9_-]*$'),
  period_from date NOT NULL,
  period_to date NOT NULL,
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'rated', 'site_response', 'closed')),
  opened_by integer NOT NULL REFERENCES users(id),
  sample_seed bigint CHECK (sample_seed BETWEEN 0 AND 4294967295),
  sample_size integer CHECK (sample_size BETWEEN 1 AND 1000),
  sample_frame jsonb,
  sample_drawn_at timestamptz,
  sample_drawn_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (period_from <= period_to),
  -- A sample is drawn whole or not at all.
  CHECK (
    (sample_seed IS NULL AND sample_size IS NULL AND sample_frame IS NULL AND sample_drawn_at IS NULL AND sample_drawn_by IS NULL)
    OR (sample_seed IS NOT NULL AND sample_size IS NOT NULL AND sample_frame IS NOT NULL AND sample_drawn_at IS NOT NULL AND sample_drawn_by IS NOT NULL)
  ),
  CHECK (status = 'planned' OR sample_seed IS NOT NULL)
);
CREATE INDEX audits_site ON audits (site_id, period_from);

-- The recordings the sample drew.
CREATE TABLE audit_sampled_recordings (
  audit_id integer NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
  recording_id integer NOT NULL REFERENCES recordings(id),
  PRIMARY KEY (audit_id, recording_id)
);
CREATE INDEX audit_sampled_recordings_recording ON audit_sampled_recordings (recording_id);
