-- incident_daily becomes net of dismissed incidents (its columns are unchanged). Until now the
-- score queries subtracted the day shares of dismissed incidents at query time, which meant
-- deduplicating every incident-day row of the range against the newest review of each
-- incident: over a year of the network that is millions of rows per query (about 2 s on 18.16).
-- Now every writer recomputes the totals of the keys it touched with dismissals applied: the
-- sink after storing incidents, and the review store (clickhouse/reviews.ts) after storing a
-- review, so a dismissal still leaves the scores at once, and readers read one row per salon
-- and day (clickhouse/rollups.ts, incidentDailyRecomputeSql).
--
-- This recomputes every existing key once, with a version above every version written so far
-- (the sink's versions are epoch milliseconds of its clock).
INSERT INTO incident_daily
SELECT salonId, localDate, toUInt64(now()) * 1000 + 999,
  sumIf(opened, standard = 'greeting' AND dismissed = 0), sumIf(opened, standard = 'waiting_time' AND dismissed = 0),
  sumIf(opened, standard = 'queue_length' AND dismissed = 0), sumIf(opened, standard = 'staff_presence' AND dismissed = 0),
  sumIf(opened, standard = 'camera_coverage' AND dismissed = 0),
  sumIf(seconds, standard = 'greeting' AND dismissed = 0), sumIf(seconds, standard = 'waiting_time' AND dismissed = 0),
  sumIf(seconds, standard = 'queue_length' AND dismissed = 0), sumIf(seconds, standard = 'staff_presence' AND dismissed = 0),
  sumIf(seconds, standard = 'camera_coverage' AND dismissed = 0)
FROM
(
  SELECT salonId, localDate, incidentId, standard, opened, seconds FROM incident_days FINAL
) AS shares
ANY LEFT JOIN
(
  SELECT incidentId, toUInt8(argMax(verdict, (reviewedAt, reviewedMs)) = 'dismiss') AS dismissed
  FROM incident_reviews
  GROUP BY incidentId
) AS verdicts USING incidentId
GROUP BY salonId, localDate;
