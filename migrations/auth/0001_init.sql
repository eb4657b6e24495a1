-- Replaced by the auth service's schema.
CREATE TABLE IF NOT EXISTS _schema_marker (id INTEGER PRIMARY KEY);
