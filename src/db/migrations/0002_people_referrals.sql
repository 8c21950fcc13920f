-- Men in custody, their convictions, risk scores, eligibility overrides, referrals and referral history.

CREATE TABLE people (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Stored upper-case, so the unique constraint makes prison numbers unique case-insensitively.
  prison_number text NOT NULL UNIQUE CHECK (prison_number ~ '^[A-Z][0-9]{4}[A-Z]{2}$'),
  given_name text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
  family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  date_of_birth date NOT NULL,
  sex text NOT NULL CHECK (sex IN ('male', 'female')),
  site_id integer NOT NULL REFERENCES sites(id),
  sentence_date date,
  earliest_release_date date,
  -- RM2000/S aggravating factor "single, never married"; null when not known.
  never_married boolean,
  iq_score integer CHECK (iq_score BETWEEN 30 AND 180),
  iq_test text,
  iq_date date,
  sexual_murder boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX people_site ON people(site_id);
CREATE INDEX people_family_name ON people(lower(family_name));

CREATE TABLE convictions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  conviction_date date NOT NULL,
  offence text NOT NULL CHECK (length(offence) BETWEEN 1 AND 200),
  category text NOT NULL CHECK (category IN ('sexual_contact', 'sexual_non_contact', 'violent', 'burglary', 'other')),
  attempt boolean NOT NULL DEFAULT false,
  victim_male boolean NOT NULL DEFAULT false,
  victim_stranger boolean NOT NULL DEFAULT false,
  victim_child boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX convictions_person ON convictions(person_id);

-- Scores are never edited: a new assessment is a new row, so the history of a man's risk is kept.
CREATE TABLE risk_scores (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  instrument text NOT NULL,
  instrument_version integer NOT NULL,
  inputs jsonb NOT NULL,
  result jsonb NOT NULL,
  -- The headline category or band (low | medium | high | very_high | not_applicable), for sorting and filtering.
  category text NOT NULL,
  assessed_by integer NOT NULL REFERENCES users(id),
  assessed_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_scores_person ON risk_scores(person_id, instrument, created_at DESC);

CREATE TABLE eligibility_overrides (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  programme_id text NOT NULL,
  computed_result text NOT NULL CHECK (computed_result IN ('eligible', 'not_eligible', 'undetermined')),
  result text NOT NULL CHECK (result IN ('eligible', 'not_eligible')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  decided_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_overrides_person ON eligibility_overrides(person_id, programme_id, created_at DESC);

CREATE TABLE referrals (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  programme_id text NOT NULL,
  site_id integer NOT NULL REFERENCES sites(id),
  status text NOT NULL,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- When the referral entered awaiting_allocation (the waitlist): days waiting count from here.
  waitlisted_at timestamptz,
  created_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX referrals_site_status ON referrals(site_id, status);
CREATE INDEX referrals_person ON referrals(person_id);
-- The service refuses a second open referral with a link to the first; this index makes a race lose too.
-- The closed statuses are those marked open: false in src/domain/referral/workflow.ts.
CREATE UNIQUE INDEX referrals_one_open_per_programme ON referrals(person_id, programme_id)
  WHERE status NOT IN ('not_eligible', 'not_suitable', 'programme_complete', 'deselected', 'withdrawn');

CREATE TABLE referral_history (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id integer NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
  transition text,
  from_status text,
  to_status text NOT NULL,
  reason text,
  actor_id integer REFERENCES users(id),
  actor text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_history_referral ON referral_history(referral_id, occurred_at);
