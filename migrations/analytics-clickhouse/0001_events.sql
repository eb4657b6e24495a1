-- The analytics events in ClickHouse. `{db}` is the configured database. Every statement must be
-- safe to run twice: two isolates may migrate at once, and a failed migration is re-run whole.
CREATE DATABASE IF NOT EXISTS {db};

-- One row per event. ReplacingMergeTree folds rows with the same sorting key when parts merge, and
-- reads with FINAL fold the rest, so a redelivered event (same id, same content) counts once. The
-- key leads with type and time so that a metric reads only its own events.
CREATE TABLE IF NOT EXISTS {db}.events (
  event_id String,
  event_type String,
  user_id String,
  video_id String,
  view_id String,
  time_ms UInt64,
  source String,
  watch_ms UInt64,
  rebuffer_ms UInt64,
  metadata String,
  received_ms UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(time_ms, 1000)))
ORDER BY (event_type, time_ms, event_id);
