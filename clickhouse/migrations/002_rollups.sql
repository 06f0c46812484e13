-- Rollups per salon and UTC hour, and per salon and salon-local day.
--
-- Not materialized views: a view sees every inserted block, so a redelivered event would be
-- counted twice. Instead the sink, after each batch, recomputes the rows of the (salon, hour)
-- and (salon, day) keys the batch touched from the deduplicated raw events
-- (`LIMIT 1 BY eventId`) and inserts them with a higher `version`. A rollup row is therefore a
-- function of the distinct events of its key: inserting an event twice, or recomputing twice,
-- gives the same row. ReplacingMergeTree(version) keeps the newest row per key; readers use
-- FINAL (or argMax) so they do not depend on merges having happened.
--
-- localDate is part of the hourly key: a UTC hour belongs to one local day for whole-hour
-- offsets, and to two for offsets such as +05:30, which then simply gives two rows.
--
-- Seconds from samples (openSeconds, observedSeconds) are the maximum over the salon's
-- cameras, not the sum: two cameras watching the same open salon do not make it open twice.
CREATE TABLE IF NOT EXISTS rollup_hourly
(
    salonId String,
    hour DateTime('UTC'),
    localDate Date,
    version UInt64,
    events UInt32,
    visits UInt32,
    visitors UInt32,
    visitsStaffPresent UInt32,
    visitsGreeted UInt32,
    greetingLatencySum Float64,
    visitSeconds Float64,
    waits UInt32,
    waitsAbandoned UInt32,
    waitSeconds Float64,
    waitMaxS Float32,
    queueSamples UInt32,
    queueLengthSum UInt64,
    queueLengthMax UInt16,
    staffSamples UInt32,
    openSeconds Float64,
    unstaffedOpenSeconds Float64,
    observedSeconds Float64,
    cameraHealthEvents UInt32
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (salonId, hour, localDate);

CREATE TABLE IF NOT EXISTS rollup_daily
(
    salonId String,
    localDate Date,
    version UInt64,
    events UInt32,
    visits UInt32,
    visitors UInt32,
    visitsStaffPresent UInt32,
    visitsGreeted UInt32,
    greetingLatencySum Float64,
    visitSeconds Float64,
    waits UInt32,
    waitsAbandoned UInt32,
    waitSeconds Float64,
    waitMaxS Float32,
    queueSamples UInt32,
    queueLengthSum UInt64,
    queueLengthMax UInt16,
    staffSamples UInt32,
    openSeconds Float64,
    unstaffedOpenSeconds Float64,
    observedSeconds Float64,
    cameraHealthEvents UInt32
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(localDate)
ORDER BY (salonId, localDate);
