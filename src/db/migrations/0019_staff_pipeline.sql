-- The facilitator pipeline (staff/facilitator-pipeline.v<N>.json): members of staff from application to
-- accreditation. A member of staff may be in the pipeline before they have a sign-in (user_id is null until an
-- administrator links one); accreditation itself belongs to the sign-in (facilitator_accreditations).
CREATE TABLE staff_members (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  display_name text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
  site_id integer NOT NULL REFERENCES sites(id),
  user_id integer UNIQUE REFERENCES users(id),
  -- The stage the latest move led to (a stage id of the pipeline file).
  stage text NOT NULL CHECK (stage ~ '^[a-z][a-z0-9_]*$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX staff_members_site ON staff_members(site_id);

-- Per programme: the stage of a member's training and accreditation for it.
CREATE TABLE staff_programme_stages (
  staff_member_id integer NOT NULL REFERENCES staff_members(id) ON DELETE CASCADE,
  programme_id text NOT NULL,
  stage text NOT NULL CHECK (stage ~ '^[a-z][a-z0-9_]*$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (staff_member_id, programme_id)
);

-- Every move, as made: never changed (a mistake is put right by a later move), so no version.
-- moved_by is null for the system (sotp staff import); moved_by_name keeps who it was either way.
CREATE TABLE staff_stage_moves (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_member_id integer NOT NULL REFERENCES staff_members(id) ON DELETE CASCADE,
  pipeline_version integer NOT NULL CHECK (pipeline_version > 0),
  move_id text NOT NULL,
  programme_id text,
  from_stage text NOT NULL,
  to_stage text NOT NULL,
  reason text NOT NULL DEFAULT '',
  evidence jsonb NOT NULL DEFAULT '{}'::jsonb,
  moved_by integer REFERENCES users(id),
  moved_by_name text NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_stage_moves_member ON staff_stage_moves(staff_member_id, id);

-- Files attached to a move as evidence (an interview record, a course certificate): kept in the file store under
-- staff-evidence/, like participants' work, with the SHA-256 of their bytes.
CREATE TABLE staff_evidence_files (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  move_id integer NOT NULL REFERENCES staff_stage_moves(id) ON DELETE CASCADE,
  field text NOT NULL,
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 260),
  content_type text NOT NULL,
  bytes bigint NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_evidence_files_move ON staff_evidence_files(move_id);
