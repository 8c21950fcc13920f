-- Supervision as records (issue 12): a treatment manager of the site supervises a facilitator on a day, may
-- watch recordings of sessions the facilitator delivered, and agrees actions with due dates. Whether
-- supervision is current is computed from these records and the programme's supervision rules; the typed
-- "supervision current until" date they replace is dropped. An accreditation may be suspended from a day,
-- with a reason, and withdrawn from a day.
CREATE TABLE supervisions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites(id),
  facilitator_id integer NOT NULL REFERENCES users(id),
  supervisor_id integer NOT NULL REFERENCES users(id),
  supervised_on date NOT NULL,
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
  recorded_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (supervisor_id <> facilitator_id)
);
CREATE INDEX supervisions_facilitator ON supervisions (facilitator_id, supervised_on);
CREATE INDEX supervisions_site ON supervisions (site_id, supervised_on);

-- The recordings the supervisor watched for this supervision, and for how many minutes.
CREATE TABLE supervision_observations (
  supervision_id integer NOT NULL REFERENCES supervisions(id) ON DELETE CASCADE,
  recording_id integer NOT NULL REFERENCES recordings(id),
  minutes_watched integer NOT NULL CHECK (minutes_watched BETWEEN 1 AND 600),
  PRIMARY KEY (supervision_id, recording_id)
);

CREATE TABLE supervision_actions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supervision_id integer NOT NULL REFERENCES supervisions(id) ON DELETE CASCADE,
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
  due_on date NOT NULL,
  completed_on date,
  completed_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((completed_on IS NULL) = (completed_by IS NULL))
);
CREATE INDEX supervision_actions_supervision ON supervision_actions (supervision_id);

ALTER TABLE facilitator_accreditations
  DROP COLUMN supervision_current_until,
  ADD COLUMN suspended_from date,
  ADD COLUMN suspension_reason text CHECK (length(suspension_reason) <= 1000),
  ADD COLUMN withdrawn_from date,
  ADD CONSTRAINT facilitator_accreditations_suspension CHECK ((suspended_from IS NULL) = (suspension_reason IS NULL));

-- The named treatment manager of each site and programme: who supervises the site's facilitators for it.
CREATE TABLE site_treatment_managers (
  site_id integer NOT NULL REFERENCES sites(id),
  programme_id text NOT NULL,
  user_id integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (site_id, programme_id)
);
