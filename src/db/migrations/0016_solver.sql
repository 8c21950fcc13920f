-- The solver's account of how a group's planned finish compares with its calendar bound, and what took the lost days.
ALTER TABLE programme_groups ADD COLUMN plan_gap jsonb;
