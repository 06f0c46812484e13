-- The salons dimension, filled from the fleet configuration by the node or the API. The newest
-- row per salon (updatedAt) is current. timezone is an IANA name; the sink uses it to assign
-- events to the salon's local day.
CREATE TABLE IF NOT EXISTS salons
(
    salonId String,
    name String,
    partnerId String,
    regionId String,
    timezone String,
    updatedAt DateTime('UTC')
)
ENGINE = ReplacingMergeTree(updatedAt)
ORDER BY salonId;
