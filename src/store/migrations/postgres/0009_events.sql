-- 0009_events: EventBridge rules on each account's default event bus, their targets, connections
-- and API destinations, and the durable queue of deliveries (an accepted event survives a
-- restart until its target answers 2xx or its retries are exhausted).
--
-- Descriptive members are kept as the API shapes them, in a JSON `document` (TEXT): they are read
-- and written whole. A connection's secret (API key value, password) is sealed with the master
-- key (keys::SecretBox, associated data "events-connection:<arn>") and never leaves the server.
-- Times are Unix epoch milliseconds.

CREATE TABLE events_rules (
  arn           TEXT    NOT NULL PRIMARY KEY,  -- arn:<p>:events:<region>:<account>:rule/<name>
  account_id    TEXT    NOT NULL,
  region        TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  state         TEXT    NOT NULL,  -- ENABLED | DISABLED
  document      TEXT    NOT NULL,  -- {"EventPattern", "Description", "RoleArn", ...}
  created_at_ms BIGINT  NOT NULL,
  updated_at_ms BIGINT  NOT NULL,
  UNIQUE (account_id, region, name)
);

CREATE TABLE events_targets (
  rule_arn      TEXT    NOT NULL REFERENCES events_rules (arn) ON DELETE CASCADE,
  target_id     TEXT    NOT NULL,
  document      TEXT    NOT NULL,  -- the Target as PutTargets received it
  created_at_ms BIGINT  NOT NULL,
  PRIMARY KEY (rule_arn, target_id)
);

CREATE TABLE events_connections (
  arn                TEXT    NOT NULL PRIMARY KEY,  -- ...:connection/<name>/<uuid>
  account_id         TEXT    NOT NULL,
  region             TEXT    NOT NULL,
  name               TEXT    NOT NULL,
  authorization_type TEXT    NOT NULL,  -- API_KEY | BASIC
  state              TEXT    NOT NULL,  -- AUTHORIZED
  document           TEXT    NOT NULL,  -- Description, public auth parameters (no secret)
  secret             BYTEA    NOT NULL,  -- sealed {"ApiKeyValue"} or {"Password"}
  created_at_ms      BIGINT  NOT NULL,
  updated_at_ms      BIGINT  NOT NULL,
  UNIQUE (account_id, region, name)
);

CREATE TABLE events_api_destinations (
  arn            TEXT    NOT NULL PRIMARY KEY,  -- ...:api-destination/<name>/<uuid>
  account_id     TEXT    NOT NULL,
  region         TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  connection_arn TEXT    NOT NULL,
  document       TEXT    NOT NULL,  -- InvocationEndpoint, HttpMethod, rate limit, Description
  created_at_ms  BIGINT  NOT NULL,
  updated_at_ms  BIGINT  NOT NULL,
  UNIQUE (account_id, region, name)
);

CREATE TABLE events_deliveries (
  id                 TEXT    NOT NULL PRIMARY KEY,  -- UUID of this (event, target) delivery
  rule_arn           TEXT    NOT NULL,
  target_id          TEXT    NOT NULL,
  target_arn         TEXT    NOT NULL,
  target             TEXT    NOT NULL,  -- the Target document at the time the event matched
  envelope           TEXT    NOT NULL,  -- the event as delivered
  attempts           BIGINT  NOT NULL,  -- failed attempts so far
  accepted_at_ms     BIGINT  NOT NULL,
  next_attempt_at_ms BIGINT  NOT NULL,
  last_error         TEXT    NOT NULL
);

CREATE INDEX events_deliveries_due ON events_deliveries (next_attempt_at_ms);
