-- Registers of group sessions (who attended, who was late or left early and by how much, who was absent or removed
-- and why), every earlier version of each register, and the catch-ups a missed session makes required.

-- One row per session once its register is first saved: the version guards corrections (optimistic locking).
CREATE TABLE session_registers (
  session_id integer PRIMARY KEY REFERENCES group_sessions(id) ON DELETE CASCADE,
  recorded_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

-- The register as it stands: one entry per man in the group on the session's date.
CREATE TABLE register_entries (
  session_id integer NOT NULL REFERENCES session_registers(session_id) ON DELETE CASCADE,
  member_id integer NOT NULL REFERENCES group_members(id) ON DELETE CASCADE,
  person_id integer NOT NULL REFERENCES people(id),
  status text NOT NULL CHECK (status IN ('attended', 'late', 'left_early', 'excused_absence', 'unexcused_absence', 'removed')),
  minutes integer CHECK (minutes BETWEEN 1 AND 150),
  reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
  PRIMARY KEY (session_id, member_id),
  CHECK ((status IN ('late', 'left_early')) = (minutes IS NOT NULL)),
  CHECK ((status IN ('excused_absence', 'removed')) = (reason IS NOT NULL))
);
CREATE INDEX register_entries_member ON register_entries(member_id);

-- Every saved version of a register, oldest first: corrections keep who recorded what, and when.
CREATE TABLE register_versions (
  session_id integer NOT NULL REFERENCES session_registers(session_id) ON DELETE CASCADE,
  version integer NOT NULL,
  entries jsonb NOT NULL,
  recorded_by integer NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, version)
);

-- A man who missed a session (programme data says what counts) must catch it up: required until a booked
-- catch-up is delivered, withdrawn if a correction shows he did not miss it after all.
CREATE TABLE required_catch_ups (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id integer NOT NULL REFERENCES group_sessions(id) ON DELETE CASCADE,
  member_id integer NOT NULL REFERENCES group_members(id) ON DELETE CASCADE,
  person_id integer NOT NULL REFERENCES people(id),
  status text NOT NULL DEFAULT 'outstanding' CHECK (status IN ('outstanding', 'delivered', 'withdrawn')),
  catch_up_id integer REFERENCES catch_up_sessions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX required_catch_ups_one_live ON required_catch_ups(session_id, member_id) WHERE status <> 'withdrawn';
CREATE INDEX required_catch_ups_member ON required_catch_ups(member_id);
