-- Indexes for the caseload (src/services/caseload.ts): its default order is the newest status change first,
-- within the caller's sites (treatment managers, assessors, facilitators) or across all sites (auditors).
CREATE INDEX referrals_site_status_changed ON referrals(site_id, status_changed_at DESC, id DESC);
CREATE INDEX referrals_status_changed ON referrals(status_changed_at DESC, id DESC);
