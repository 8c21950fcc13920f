-- Scheduler rules (issue 8): why a cover facilitator stands in for a named one in a session, and why a
-- group's first session is later than its earliest start (the obstacles of the days lost, as the solver found them).
ALTER TABLE session_facilitators ADD COLUMN stands_in_for integer REFERENCES users(id);
ALTER TABLE session_facilitators ADD COLUMN stand_in_reason jsonb;
ALTER TABLE session_facilitators ADD CONSTRAINT session_facilitators_stand_in CHECK (stand_in_reason IS NULL OR stands_in_for IS NOT NULL);
ALTER TABLE programme_groups ADD COLUMN start_delay jsonb;
