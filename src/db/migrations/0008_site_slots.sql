-- Session slots are site data: each site offers weekly slots (weekday and start time; a session ends after
-- its programme's session length) set in site set-up. A group's weekly slots are chosen from its site's.
CREATE TABLE site_slots (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites(id),
  weekday text NOT NULL CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
  start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  UNIQUE (site_id, weekday, start_time)
);

-- Behaviour is preserved: every existing site offers what the code offered (Monday to Friday at 09:00 and
-- 13:30), plus any slot one of its groups already uses, so every group's slots stay within its site's.
INSERT INTO site_slots (site_id, weekday, start_time)
SELECT s.id, d.weekday, t.start_time
FROM sites s
CROSS JOIN (VALUES ('mon'), ('tue'), ('wed'), ('thu'), ('fri')) AS d(weekday)
CROSS JOIN (VALUES ('09:00'), ('13:30')) AS t(start_time)
UNION
SELECT g.site_id, gs.weekday, gs.start_time
FROM group_slots gs
JOIN programme_groups g ON g.id = gs.group_id;

-- A catch-up takes a room as well as a facilitator, so it can never double-book one. Catch-ups booked
-- before rooms were recorded are put in their group's room.
ALTER TABLE catch_up_sessions ADD COLUMN room_id integer REFERENCES rooms(id);
UPDATE catch_up_sessions c SET room_id = g.room_id FROM programme_groups g WHERE g.id = c.group_id;
ALTER TABLE catch_up_sessions ALTER COLUMN room_id SET NOT NULL;
CREATE INDEX catch_up_sessions_room ON catch_up_sessions(room_id, session_date);
