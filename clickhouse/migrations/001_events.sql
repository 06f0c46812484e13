-- Raw events, one row per event as validated by the sink (events/schema.ts).
--
-- Engine: ReplacingMergeTree with eventId in the sorting key. A redelivered event (spool replay
-- after an unacknowledged send, a sink crash between insert and offset commit) is inserted
-- again with the same (salonId, occurredAt, eventId), so background merges collapse it. Merges
-- are eventual, which is why nothing that counts reads this table without `LIMIT 1 BY eventId`
-- (see clickhouse/rollups.ts): duplicates are removed by construction, not by luck of merging.
--
-- Partitioned by month of occurredAt: old months are dropped or moved as a unit. Ordered by
-- (salonId, occurredAt): every reporting and rollup query selects one or many salons and a
-- time range, so both are served by the primary index.
--
-- The payload values that rollups need are typed columns (zero where a type does not carry
-- them), so rollups never parse JSON; the payload JSON is kept whole for audit and for optional
-- fields added later within schema version 1 (events/README.md).
--
-- DateTime('UTC') with a separate milliseconds column: ClickHouse 18.16 has no DateTime64.
CREATE TABLE IF NOT EXISTS events
(
    eventId String,
    type Enum8('visit' = 1, 'wait' = 2, 'queue_sample' = 3, 'staff_sample' = 4, 'incident' = 5, 'camera_health' = 6),
    salonId String,
    cameraId String,
    nodeId String,
    occurredAt DateTime('UTC'),
    occurredMs UInt16,
    producedAt DateTime('UTC'),
    producedMs UInt16,
    localDate Date,
    durationS Float32,
    groupSize UInt16,
    greeted UInt8,
    greetingLatencyS Float32,
    staffPresent UInt8,
    waitS Float32,
    abandoned UInt8,
    queueLength UInt16,
    staffCount UInt16,
    customerCount UInt16,
    open UInt8,
    windowS Float32,
    payload String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (salonId, occurredAt, eventId);
