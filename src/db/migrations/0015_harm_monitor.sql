-- The harm monitor: one group-sequential design per programme, fixed before its first look, and every look
-- taken. A look is unique per design and date, so two server instances running the scheduler take it once.

CREATE TABLE harm_monitor_designs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  programme_id text NOT NULL UNIQUE,
  -- The comparison pool the programme's completers are compared with (pseudonymised).
  cohort_import_id integer NOT NULL REFERENCES cohort_imports(id),
  covariates text[] NOT NULL,
  outcome text NOT NULL,
  -- firstLook, everyMonths, horizonYears, spending, sides, harmAlpha, benefitAlpha (src/domain/evaluation/monitor.ts).
  design jsonb NOT NULL,
  created_by integer NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

CREATE TABLE harm_monitor_looks (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  design_id integer NOT NULL REFERENCES harm_monitor_designs(id),
  look_date date NOT NULL,
  -- Men and events per arm, statistic, information, boundaries, decision, and the hashes of the inputs.
  result jsonb NOT NULL,
  -- null when the scheduler took the look.
  taken_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (design_id, look_date)
);
