-- Psychometric tests: a man's answers to one instrument on one occasion (before treatment, after it, at follow-up),
-- with the scale scores they gave (scored or not scored, with the reason) under the instrument version used.
-- One record per man, instrument and occasion; a correction edits it (optimistic locking on version).
CREATE TABLE psychometric_tests (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  instrument text NOT NULL,
  instrument_version integer NOT NULL,
  occasion text NOT NULL CHECK (occasion IN ('pre', 'post', 'follow_up')),
  administered_on date NOT NULL,
  responses jsonb NOT NULL,
  scores jsonb NOT NULL,
  recorded_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT psychometric_tests_one_per_occasion UNIQUE (person_id, instrument, occasion)
);
