-- Groups and timetables: rooms and closure days of each site, facilitators' limits, accreditation and
-- unavailable days, groups with their weekly slots and teams, sessions, men allocated, catch-up sessions.

CREATE TABLE rooms (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (site_id, name)
);

CREATE TABLE site_closures (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites(id),
  closure_date date NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (site_id, closure_date)
);

-- One row per facilitator once anyone sets their limits; the scheduler uses the defaults until then.
-- ical_secret is the credential of the facilitator's calendar feed link: random, 32 bytes, hex.
CREATE TABLE facilitator_profiles (
  user_id integer PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  max_sessions_per_day integer NOT NULL DEFAULT 1 CHECK (max_sessions_per_day BETWEEN 1 AND 4),
  max_sessions_per_week integer NOT NULL DEFAULT 5 CHECK (max_sessions_per_week BETWEEN 1 AND 20),
  ical_secret text UNIQUE CHECK (ical_secret ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);

-- The scheduler uses a facilitator for a programme only when accredited and with supervision current.
CREATE TABLE facilitator_accreditations (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  programme_id text NOT NULL,
  accredited_on date NOT NULL,
  supervision_current_until date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (user_id, programme_id)
);

CREATE TABLE facilitator_unavailability (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  unavailable_on date NOT NULL,
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (user_id, unavailable_on)
);

-- "groups" is an SQL keyword (window frames), hence programme_groups.
CREATE TABLE programme_groups (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  programme_version_id integer NOT NULL REFERENCES programme_versions(id),
  site_id integer NOT NULL REFERENCES sites(id),
  room_id integer NOT NULL REFERENCES rooms(id),
  capacity integer NOT NULL CHECK (capacity >= 1),
  earliest_start date NOT NULL,
  treatment_manager_id integer NOT NULL REFERENCES users(id),
  -- unscheduled: the solver could not place every session (schedule_problem says why); scheduled: it did.
  status text NOT NULL DEFAULT 'unscheduled' CHECK (status IN ('unscheduled', 'scheduled', 'closed')),
  schedule_problem text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (site_id, name)
);
CREATE INDEX programme_groups_site ON programme_groups(site_id);

CREATE TABLE group_slots (
  group_id integer NOT NULL REFERENCES programme_groups(id) ON DELETE CASCADE,
  weekday text NOT NULL CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
  start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  PRIMARY KEY (group_id, weekday, start_time)
);

CREATE TABLE group_facilitators (
  group_id integer NOT NULL REFERENCES programme_groups(id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users(id),
  team_role text NOT NULL CHECK (team_role IN ('lead', 'co', 'cover')),
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_members (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id integer NOT NULL REFERENCES programme_groups(id) ON DELETE CASCADE,
  referral_id integer NOT NULL UNIQUE REFERENCES referrals(id),
  person_id integer NOT NULL REFERENCES people(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX group_members_group ON group_members(group_id);

-- A cancelled session keeps its row (date, reason); the session's content moves to a new scheduled row.
CREATE TABLE group_sessions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id integer NOT NULL REFERENCES programme_groups(id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  block integer NOT NULL CHECK (block >= 1),
  session_date date NOT NULL,
  start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_time text NOT NULL CHECK (end_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  room_id integer NOT NULL REFERENCES rooms(id),
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'delivered')),
  cancel_reason text CHECK (cancel_reason IS NULL OR length(cancel_reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
CREATE UNIQUE INDEX group_sessions_one_live_per_number ON group_sessions(group_id, number) WHERE status <> 'cancelled';
CREATE INDEX group_sessions_date ON group_sessions(session_date);

CREATE TABLE session_facilitators (
  session_id integer NOT NULL REFERENCES group_sessions(id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users(id),
  PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_facilitators_user ON session_facilitators(user_id);

-- A man who missed a session catches it up one-to-one with a facilitator; tracked until delivered.
CREATE TABLE catch_up_sessions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id integer NOT NULL REFERENCES programme_groups(id) ON DELETE CASCADE,
  member_id integer NOT NULL REFERENCES group_members(id) ON DELETE CASCADE,
  missed_session_id integer NOT NULL REFERENCES group_sessions(id),
  session_number integer NOT NULL,
  session_date date NOT NULL,
  start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_time text NOT NULL CHECK (end_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  facilitator_id integer NOT NULL REFERENCES users(id),
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'delivered', 'cancelled')),
  delivered_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX catch_up_sessions_group ON catch_up_sessions(group_id);
CREATE INDEX catch_up_sessions_facilitator ON catch_up_sessions(facilitator_id, session_date);
