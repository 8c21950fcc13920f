-- An auditor who does not agree the site's action plan asks the site to revise it, saying why (issue 13: "the auditor
-- closes the audit when the actions are agreed"). The audit goes back to rated; the reason stays until the site's
-- treatment manager responds again.
ALTER TABLE audits ADD COLUMN revision_asked text CHECK (length(revision_asked) BETWEEN 1 AND 5000);
