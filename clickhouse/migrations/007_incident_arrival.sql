-- When each incident row was stored (epoch ms of the writer's clock, taken just before its
-- insert), so that a reader can ask for the rows stored since it last looked: the API's incident
-- book (api/incident-book-sync.ts) polls by it. Not `version` (occurred-at): an edge node's spool
-- may deliver an hour-old report long after newer ones. Rows stored before this migration read 0
-- and are found by a full load, never by a poll.
ALTER TABLE incidents ADD COLUMN insertedMs UInt64 DEFAULT 0;
