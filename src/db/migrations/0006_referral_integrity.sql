-- Referral and group integrity (issue 8): group membership has a "current" notion, and risk scores can be
-- marked out of date when the convictions they were computed from change.

-- A man leaves a group (removed, put on hold, withdrawn, deselected, programme complete) without his row
-- going: catch-ups and the group's history still refer to it. He is a current member while left_at is null.
-- The rule (src/domain/referral/workflow.ts): a referral is allocated or on programme if and only if it has
-- exactly one current membership, in a group of the referral's programme.
ALTER TABLE group_members ADD COLUMN left_at timestamptz;
ALTER TABLE group_members ADD COLUMN left_reason text CHECK (left_reason IS NULL OR length(left_reason) BETWEEN 1 AND 2000);
ALTER TABLE group_members ADD CONSTRAINT group_members_left_has_reason CHECK ((left_at IS NULL) = (left_reason IS NULL));
-- A referral may join a group again after leaving one (e.g. removed, back on the waitlist, allocated to a
-- later group): one current membership per referral, any number of past ones.
ALTER TABLE group_members DROP CONSTRAINT group_members_referral_id_key;
CREATE UNIQUE INDEX group_members_one_current_per_referral ON group_members(referral_id) WHERE left_at IS NULL;
CREATE INDEX group_members_referral ON group_members(referral_id);

-- A score computed from convictions that were later removed no longer describes the record: it is kept
-- (scores are history) but marked out of date until he is scored again.
ALTER TABLE risk_scores ADD COLUMN out_of_date_since timestamptz;
