-- Session recordings: the video files themselves live in the file store (<FILE_STORE_DIR>/recordings); a row is
-- written only once a finished upload has been checked (SHA-256, a video whose duration and format were read
-- from the file) and moved into place, so no half file is ever recorded as complete.
CREATE TABLE recordings (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id integer NOT NULL REFERENCES group_sessions(id),
  uploaded_by integer NOT NULL REFERENCES users(id),
  -- The file's name under <FILE_STORE_DIR>/recordings: chosen by the server, never by the uploader.
  stored_name text NOT NULL UNIQUE CHECK (stored_name ~ '^[0-9a-f]{32}\.(webm|mkv|mp4|mov)$'),
  bytes bigint NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  duration_ms integer NOT NULL CHECK (duration_ms > 0),
  -- The container as the file itself declares it (webm, matroska, mp4, quicktime) and the media type served.
  format text NOT NULL CHECK (length(format) BETWEEN 1 AND 80),
  media_type text NOT NULL CHECK (media_type IN ('video/webm', 'video/x-matroska', 'video/mp4', 'video/quicktime')),
  -- Set by an audit that samples the recording (a later issue): a sampled recording is never purged by retention.
  audit_sampled_at timestamptz,
  -- Set when retention deleted the file; the record stays, so what was held and when it went is known.
  purged_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX recordings_session ON recordings(session_id);
