-- What caused each cancellation (domain/schedule/cancellation.ts), for the operational audit's count of sessions lost
-- for want of staff or a room. Cancellations made before causes were kept have none.
ALTER TABLE group_sessions
  ADD COLUMN cancel_cause text CHECK (cancel_cause IN ('staff', 'room', 'regime', 'participants', 'other')),
  ADD CONSTRAINT group_sessions_cause_only_when_cancelled CHECK (cancel_cause IS NULL OR status = 'cancelled');
