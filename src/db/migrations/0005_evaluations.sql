-- Outcome evaluation: imported cohort files (pseudonymised), reconviction records keyed by pseudonym,
-- and every evaluation run with its settings and the hashes of its inputs so it can be reproduced.

CREATE TABLE cohort_imports (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- comparison: untreated men only, to be matched with the programme's own treated men;
  -- cohort: a complete linked cohort (treated and comparison) evaluated as it is.
  kind text NOT NULL CHECK (kind IN ('comparison', 'cohort')),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  sha256 text NOT NULL,
  rows integer NOT NULL CHECK (rows > 0),
  columns text[] NOT NULL,
  -- The file itself: it holds pseudonyms (person_ref), never names or prison numbers.
  content text NOT NULL,
  imported_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, sha256)
);

CREATE TABLE reconviction_imports (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  sha256 text NOT NULL UNIQUE,
  rows integer NOT NULL,
  new_rows integer NOT NULL,
  data_as_of date NOT NULL,
  imported_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reconvictions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  import_id integer NOT NULL REFERENCES reconviction_imports(id),
  person_ref text NOT NULL,
  outcome text NOT NULL CHECK (outcome ~ '^[a-z][a-z0-9_]*$'),
  offence_date date NOT NULL,
  -- The same reconviction arriving in a later extract is the same record: imports are idempotent.
  UNIQUE (person_ref, outcome, offence_date)
);
CREATE INDEX reconvictions_person ON reconvictions(person_ref);

CREATE TABLE evaluation_runs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  programme_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('programme_and_comparison', 'cohort_file')),
  cohort_import_id integer NOT NULL REFERENCES cohort_imports(id),
  settings jsonb NOT NULL,
  -- sha256 of the exact cohort analysed (and of the imports it was built from).
  inputs jsonb NOT NULL,
  result jsonb NOT NULL,
  created_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
