-- What happened in the room: one log per session (blocks and targets covered, deviations from the manual,
-- incidents) with a short note per man, and the men's work from a session ("products") kept in the file store.

CREATE TABLE session_logs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id integer NOT NULL UNIQUE REFERENCES group_sessions(id) ON DELETE CASCADE,
  blocks_covered integer[] NOT NULL CHECK (cardinality(blocks_covered) >= 1),
  targets_covered text NOT NULL CHECK (length(targets_covered) BETWEEN 1 AND 4000),
  deviations text NOT NULL DEFAULT '' CHECK (length(deviations) <= 4000),
  incidents text NOT NULL DEFAULT '' CHECK (length(incidents) <= 4000),
  written_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

CREATE TABLE session_log_notes (
  session_log_id integer NOT NULL REFERENCES session_logs(id) ON DELETE CASCADE,
  person_id integer NOT NULL REFERENCES people(id),
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
  PRIMARY KEY (session_log_id, person_id)
);
CREATE INDEX session_log_notes_person ON session_log_notes (person_id);

-- storage_key is the file's name under the file store's products folder; sha256 is of the bytes as stored.
CREATE TABLE products (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id integer NOT NULL REFERENCES group_sessions(id),
  person_id integer NOT NULL REFERENCES people(id),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  bytes bigint NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text NOT NULL UNIQUE,
  uploaded_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX products_session ON products (session_id);
CREATE INDEX products_person ON products (person_id);
