-- Administrators upload new programme versions in the app; they are kept here, with the definitions read from
-- the programmes/ folder, and loaded from here at start-up. uploaded_by is null for a version from the folder.
ALTER TABLE programme_versions ADD COLUMN uploaded_by integer REFERENCES users(id);
