-- Incidents as they were reported: one row per incident event (an incident is sent when it
-- opens and again when it closes, with the same incidentId). The state of an incident is its
-- row with the highest `version` (occurred-at in ms, +1 when closed). ReplacingMergeTree
-- collapses only exact redeliveries (eventId is in the key); distinct reports stay appended.
CREATE TABLE IF NOT EXISTS incidents
(
    incidentId String,
    eventId String,
    salonId String,
    cameraId String,
    nodeId String,
    standard Enum8('greeting' = 1, 'queue_length' = 2, 'waiting_time' = 3, 'staff_presence' = 4, 'camera_coverage' = 5),
    startedAt DateTime('UTC'),
    startedMs UInt16,
    endedAt Nullable(DateTime('UTC')),
    endedMs UInt16,
    summary String,
    measured Float64,
    threshold Float64,
    evidenceSha256 Array(String),
    evidenceCapturedAt Array(String),
    occurredAt DateTime('UTC'),
    occurredMs UInt16,
    localDate Date,
    version UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(startedAt)
ORDER BY (salonId, startedAt, incidentId, eventId);

-- An incident's share of each salon-local day it overlaps: `opened` = 1 on the day it started
-- (count-based standards: greeting, waiting_time), `seconds` = its duration inside that day
-- (time-based standards). Written by the sink from each incident event; the newest version per
-- (incidentId, day) wins, so a redelivered or re-sent incident is counted once.
CREATE TABLE IF NOT EXISTS incident_days
(
    salonId String,
    localDate Date,
    incidentId String,
    standard Enum8('greeting' = 1, 'queue_length' = 2, 'waiting_time' = 3, 'staff_presence' = 4, 'camera_coverage' = 5),
    opened UInt8,
    seconds Float64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(localDate)
ORDER BY (salonId, localDate, incidentId);

-- Reviews are appends: the current verdict of an incident is its latest review. Nothing is
-- updated in place, so the history of who decided what, when and why stays.
CREATE TABLE IF NOT EXISTS incident_reviews
(
    incidentId String,
    salonId String,
    reviewer String,
    reviewedAt DateTime('UTC'),
    reviewedMs UInt16,
    verdict Enum8('confirm' = 1, 'dismiss' = 2),
    comment String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(reviewedAt)
ORDER BY (incidentId, reviewedAt, reviewedMs);
