-- A cohort file is imported in the background, streamed, so that a large file never stops the server
-- answering: each upload has a progress record the import page shows (queued, parsing with the rows read
-- so far, storing, done, or failed with its line-numbered problems).
CREATE TABLE cohort_import_progress (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('comparison', 'cohort')),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'parsing', 'storing', 'done', 'failed')),
  rows_read integer NOT NULL DEFAULT 0,
  -- Field errors ({ field, message }) of a failed import: line numbers and reasons, never cell values.
  problems jsonb NOT NULL DEFAULT '[]',
  cohort_import_id integer REFERENCES cohort_imports(id),
  already_imported boolean NOT NULL DEFAULT false,
  requested_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

-- The file itself is kept in pieces of about a megabyte, written a batch at a time, so that neither the
-- import nor the database ever holds a whole large file as one value. Pieces are staged under their upload
-- and belong to a cohort import only once the whole file has been checked and stored (all or nothing).
CREATE TABLE cohort_import_chunks (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id integer REFERENCES cohort_import_progress(id),
  cohort_import_id integer REFERENCES cohort_imports(id),
  seq integer NOT NULL,
  content text NOT NULL,
  UNIQUE (upload_id, seq),
  UNIQUE (cohort_import_id, seq)
);

INSERT INTO cohort_import_chunks (cohort_import_id, seq, content) SELECT id, 0, content FROM cohort_imports;
ALTER TABLE cohort_imports DROP COLUMN content;
