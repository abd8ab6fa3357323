"""The alert book's SQLite schema, as ``user_version`` migrations (script ``n`` moves version ``n`` to ``n + 1``)."""

MIGRATIONS = (
    """
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published TEXT,
        stance TEXT,
        topic TEXT,
        reason TEXT NOT NULL,
        urgency TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'answered')),
        digest_key TEXT,
        digested_at TEXT,
        acknowledged_at TEXT,
        answered_at TEXT,
        answer_link TEXT NOT NULL DEFAULT '',
        UNIQUE (item_id, unit_id)
    );
    CREATE INDEX alerts_pending ON alerts (unit_id, created_at) WHERE digest_key IS NULL;
    CREATE TABLE digests (
        key TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL,
        alerts INTEGER NOT NULL
    );
    """,
    # 2: one alert per story cluster and unit, evidence, escalation, real-time notice, delivery log.
    # The table is rebuilt because an item may now stand for a story and for a topic spike alike:
    # uniqueness moves from (item, unit) to (story, unit), and (item, unit) for lone items.
    """
    CREATE TABLE alerts_v2 (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published TEXT,
        stance TEXT,
        topic TEXT,
        reason TEXT NOT NULL,
        urgency TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'answered')),
        digest_key TEXT,
        digested_at TEXT,
        acknowledged_at TEXT,
        answered_at TEXT,
        answer_link TEXT NOT NULL DEFAULT '',
        cluster_id TEXT NOT NULL DEFAULT '',
        trigger TEXT NOT NULL DEFAULT '',
        evidence_url TEXT NOT NULL DEFAULT '',
        outlets TEXT NOT NULL DEFAULT '',
        spread INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT,
        notified_at TEXT,
        escalated_at TEXT,
        escalated_to TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO alerts_v2 (id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, urgency,
        created_at, status, digest_key, digested_at, acknowledged_at, answered_at, answer_link, outlets)
        SELECT id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, urgency, created_at,
        status, digest_key, digested_at, acknowledged_at, answered_at, answer_link, outlet FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v2 RENAME TO alerts;
    CREATE INDEX alerts_pending ON alerts (unit_id, created_at) WHERE digest_key IS NULL;
    CREATE INDEX alerts_created ON alerts (created_at);
    CREATE UNIQUE INDEX alerts_story ON alerts (cluster_id, unit_id) WHERE cluster_id != '';
    CREATE UNIQUE INDEX alerts_lone ON alerts (item_id, unit_id) WHERE cluster_id = '';
    CREATE TABLE alert_items (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        item_id TEXT NOT NULL,
        outlet TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (alert_id, item_id)
    );
    INSERT INTO alert_items SELECT id, item_id, outlet, created_at FROM alerts;
    CREATE TABLE digest_slots (
        unit_id TEXT PRIMARY KEY,
        slot TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        target TEXT NOT NULL,
        about TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    """,
    # 3: exactly-once delivery. A delivery is logged as "sending" before it is attempted, so a
    # crash in flight is known on restart; a digest is kept in the outbox with the alerts it
    # carries until they are marked, so a restart finishes that digest instead of composing another.
    """
    CREATE TABLE deliveries_v3 (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        target TEXT NOT NULL,
        about TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    INSERT INTO deliveries_v3 (id, channel, target, about, status, attempts, error, at)
        SELECT id, channel, target, about, status, attempts, error, at FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v3 RENAME TO deliveries;
    CREATE TABLE digest_outbox (
        key TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,
        alert_ids TEXT NOT NULL,
        message TEXT NOT NULL,
        composed_at TEXT NOT NULL
    );
    """,
)
