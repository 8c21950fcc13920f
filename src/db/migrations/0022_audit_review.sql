-- The rest of an audit (issue 13): the clinical review (the auditor's notes on each sampled recording, kept only
-- once it was watched in sotp; the checklist of material examined), comments on the operational indicators, the
-- two ratings, the site's response with its action plan, and closing.

-- The auditor's notes on a sampled recording. The service keeps one only when the audit log shows the recording
-- was played in sotp after the sample was drawn: a recording counts as viewed for the rating rule by having one.
CREATE TABLE audit_recording_reviews (
  audit_id integer NOT NULL,
  recording_id integer NOT NULL,
  notes text NOT NULL CHECK (length(notes) BETWEEN 1 AND 5000),
  reviewed_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (audit_id, recording_id),
  FOREIGN KEY (audit_id, recording_id) REFERENCES audit_sampled_recordings(audit_id, recording_id) ON DELETE CASCADE
);

-- The material examined (source document: participants' "products", logs and reports by programme staff, the
-- supervisor's records). A row is an item the auditor has examined, with what they found.
CREATE TABLE audit_checklist_items (
  audit_id integer NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
  item text NOT NULL CHECK (item IN ('participants_work', 'session_logs', 'end_of_treatment_reports', 'supervisor_records')),
  notes text NOT NULL CHECK (length(notes) BETWEEN 1 AND 5000),
  examined_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (audit_id, item)
);

-- The auditor's comment on an operational indicator (its id from domain/qa/indicators.ts).
CREATE TABLE audit_indicator_comments (
  audit_id integer NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
  indicator_id text NOT NULL CHECK (indicator_id ~ '^[a-z0-9_]+$'),
  comment text NOT NULL CHECK (length(comment) BETWEEN 1 AND 5000),
  written_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (audit_id, indicator_id)
);

-- The two criteria, each rated on the programme's four-point scale. The level's label is kept as the scale
-- named it when rated, so a later programme version cannot rewrite a past judgement. `cites` holds the sampled
-- recordings and checklist items the evidence rests on: {"recordings": [id…], "checklist": [item…]}.
CREATE TABLE audit_ratings (
  audit_id integer NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
  criterion text NOT NULL CHECK (criterion IN ('delivery', 'treatment_management')),
  level text NOT NULL CHECK (level ~ '^[a-z0-9][a-z0-9_-]*$'),
  level_label text NOT NULL CHECK (length(level_label) BETWEEN 1 AND 200),
  level_rank integer NOT NULL CHECK (level_rank BETWEEN 1 AND 4),
  evidence text NOT NULL CHECK (length(evidence) BETWEEN 1 AND 10000),
  cites jsonb NOT NULL,
  rated_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (audit_id, criterion)
);

-- The site's response, by its treatment manager, and the auditor's closing.
ALTER TABLE audits
  ADD COLUMN site_response text CHECK (length(site_response) BETWEEN 1 AND 10000),
  ADD COLUMN responded_by integer REFERENCES users(id),
  ADD COLUMN responded_at timestamptz,
  ADD COLUMN closed_by integer REFERENCES users(id),
  ADD COLUMN closed_at timestamptz,
  ADD CONSTRAINT audits_response_whole CHECK ((site_response IS NULL) = (responded_by IS NULL) AND (responded_by IS NULL) = (responded_at IS NULL)),
  ADD CONSTRAINT audits_closing_whole CHECK ((closed_by IS NULL) = (closed_at IS NULL)),
  ADD CONSTRAINT audits_closed_when_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL));

-- The action plan: what the site will do, who owns it (a name or post: owners need no sotp sign-in), by when, and
-- when it was done.
CREATE TABLE audit_actions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  audit_id integer NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
  owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  due_on date NOT NULL,
  completed_on date,
  completed_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((completed_on IS NULL) = (completed_by IS NULL))
);
CREATE INDEX audit_actions_audit ON audit_actions (audit_id);
