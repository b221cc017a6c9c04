-- Running totals for the program's /stats (issue 22): a year at 200k applications is a few
-- thousand rows here instead of every application, report, decision and ledger row of the year.
-- Triggers keep them in the transaction that changes the rows they count, so they are never
-- behind. A partner's own /stats still reads its few rows directly (bot/services/stats.py).
-- A day is the first 10 characters of the date or stamp a figure is counted by, so a period is
-- the same range of days here as of stamps there.

-- Applications by the day they were (last) submitted, kind and status.
CREATE TABLE stats_applications (
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    status  TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (day, kind, status)
) WITHOUT ROWID;

INSERT INTO stats_applications
SELECT substr(submitted_at, 1, 10), kind, status, COUNT(*) FROM applications
GROUP BY 1, 2, 3;

CREATE TRIGGER stats_applications_added AFTER INSERT ON applications
BEGIN
    INSERT INTO stats_applications VALUES (substr(NEW.submitted_at, 1, 10), NEW.kind,
                                           NEW.status, 1)
        ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER stats_applications_changed AFTER UPDATE OF submitted_at, kind, status
    ON applications
BEGIN
    UPDATE stats_applications SET count = count - 1
        WHERE day = substr(OLD.submitted_at, 1, 10) AND kind = OLD.kind AND status = OLD.status;
    INSERT INTO stats_applications VALUES (substr(NEW.submitted_at, 1, 10), NEW.kind,
                                           NEW.status, 1)
        ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER stats_applications_removed AFTER DELETE ON applications
BEGIN
    UPDATE stats_applications SET count = count - 1
        WHERE day = substr(OLD.submitted_at, 1, 10) AND kind = OLD.kind AND status = OLD.status;
END;

-- Activities held by their event day: approved ones (approved … credited), and the
-- registrations and listeners of their reports that count (sent, accepted, more requested; a
-- rejected report's figures do not), as this view reads them: the triggers below and a partner's
-- own /stats count through it.
CREATE VIEW stats_report_figures AS
SELECT application_id,
       COALESCE(CAST(json_extract(answers, '$.registrations') AS INTEGER), 0) AS registrations,
       COALESCE(CAST(json_extract(answers, '$.listeners') AS INTEGER), 0) AS listeners
FROM reports WHERE status IN ('sent', 'accepted', 'more_requested');

CREATE TABLE stats_events (
    day            TEXT PRIMARY KEY,
    held           INTEGER NOT NULL,
    registrations  INTEGER NOT NULL,
    listeners      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO stats_events
SELECT substr(a.event_date, 1, 10), COUNT(*), COALESCE(SUM(f.registrations), 0),
       COALESCE(SUM(f.listeners), 0)
FROM applications AS a LEFT JOIN stats_report_figures AS f ON f.application_id = a.id
WHERE a.status IN ('approved', 'report_due', 'report_sent', 'credited')
GROUP BY 1;

CREATE TRIGGER stats_events_application_added AFTER INSERT ON applications
    WHEN NEW.status IN ('approved', 'report_due', 'report_sent', 'credited')
BEGIN
    INSERT INTO stats_events VALUES (substr(NEW.event_date, 1, 10), 1, 0, 0)
        ON CONFLICT DO UPDATE SET held = held + 1;
END;

-- An application's report does not change with it: its figures leave the old day and status
-- and come to the new ones.
CREATE TRIGGER stats_events_application_changed AFTER UPDATE OF status, event_date
    ON applications
BEGIN
    INSERT INTO stats_events
    SELECT substr(OLD.event_date, 1, 10), -1,
           -COALESCE((SELECT registrations FROM stats_report_figures
                      WHERE application_id = OLD.id), 0),
           -COALESCE((SELECT listeners FROM stats_report_figures
                      WHERE application_id = OLD.id), 0)
    WHERE OLD.status IN ('approved', 'report_due', 'report_sent', 'credited')
        ON CONFLICT DO UPDATE SET held = held + excluded.held,
            registrations = registrations + excluded.registrations,
            listeners = listeners + excluded.listeners;
    INSERT INTO stats_events
    SELECT substr(NEW.event_date, 1, 10), 1,
           COALESCE((SELECT registrations FROM stats_report_figures
                     WHERE application_id = NEW.id), 0),
           COALESCE((SELECT listeners FROM stats_report_figures
                     WHERE application_id = NEW.id), 0)
    WHERE NEW.status IN ('approved', 'report_due', 'report_sent', 'credited')
        ON CONFLICT DO UPDATE SET held = held + excluded.held,
            registrations = registrations + excluded.registrations,
            listeners = listeners + excluded.listeners;
END;

CREATE TRIGGER stats_events_application_removed AFTER DELETE ON applications
    WHEN OLD.status IN ('approved', 'report_due', 'report_sent', 'credited')
BEGIN
    UPDATE stats_events SET held = held - 1 WHERE day = substr(OLD.event_date, 1, 10);
END;

CREATE TRIGGER stats_events_report_added AFTER INSERT ON reports
BEGIN
    INSERT INTO stats_events
    SELECT substr(a.event_date, 1, 10), 0, f.registrations, f.listeners
    FROM applications AS a, stats_report_figures AS f
    WHERE a.id = NEW.application_id AND f.application_id = a.id
        AND a.status IN ('approved', 'report_due', 'report_sent', 'credited')
        ON CONFLICT DO UPDATE SET registrations = registrations + excluded.registrations,
            listeners = listeners + excluded.listeners;
END;

CREATE TRIGGER stats_events_report_changed AFTER UPDATE OF status, answers, application_id
    ON reports
BEGIN
    INSERT INTO stats_events
    SELECT substr(event_date, 1, 10), 0,
           -COALESCE(CAST(json_extract(OLD.answers, '$.registrations') AS INTEGER), 0),
           -COALESCE(CAST(json_extract(OLD.answers, '$.listeners') AS INTEGER), 0)
    FROM applications WHERE id = OLD.application_id
        AND status IN ('approved', 'report_due', 'report_sent', 'credited')
        AND OLD.status IN ('sent', 'accepted', 'more_requested')
        ON CONFLICT DO UPDATE SET registrations = registrations + excluded.registrations,
            listeners = listeners + excluded.listeners;
    INSERT INTO stats_events
    SELECT substr(a.event_date, 1, 10), 0, f.registrations, f.listeners
    FROM applications AS a, stats_report_figures AS f
    WHERE a.id = NEW.application_id AND f.application_id = a.id
        AND a.status IN ('approved', 'report_due', 'report_sent', 'credited')
        ON CONFLICT DO UPDATE SET registrations = registrations + excluded.registrations,
            listeners = listeners + excluded.listeners;
END;

CREATE TRIGGER stats_events_report_removed AFTER DELETE ON reports
    WHEN OLD.status IN ('sent', 'accepted', 'more_requested')
BEGIN
    UPDATE stats_events
    SET registrations = registrations
            - COALESCE(CAST(json_extract(OLD.answers, '$.registrations') AS INTEGER), 0),
        listeners = listeners
            - COALESCE(CAST(json_extract(OLD.answers, '$.listeners') AS INTEGER), 0)
    WHERE day = (SELECT substr(event_date, 1, 10) FROM applications
                 WHERE id = OLD.application_id
                 AND status IN ('approved', 'report_due', 'report_sent', 'credited'));
END;

-- The two medians /stats shows, kept on their rows so that the median is a walk along an index
-- in value order (no sort of a year of rows): hours from an application's (last) submission to
-- each decision on it (NULL for a decision taken before a resubmission, which the median leaves
-- out), and days from an event to its report.
ALTER TABLE decisions ADD COLUMN wait_hours REAL;
ALTER TABLE reports ADD COLUMN lag_days REAL;

UPDATE decisions SET wait_hours = (
    SELECT CASE WHEN julianday(decisions.decided_at) >= julianday(submitted_at)
                THEN (julianday(decisions.decided_at) - julianday(submitted_at)) * 24 END
    FROM applications WHERE id = decisions.application_id);

UPDATE reports SET lag_days = (
    SELECT julianday(substr(reports.submitted_at, 1, 10)) - julianday(event_date)
    FROM applications WHERE id = reports.application_id);

CREATE TRIGGER decisions_wait_added AFTER INSERT ON decisions
BEGIN
    UPDATE decisions SET wait_hours = (
        SELECT CASE WHEN julianday(NEW.decided_at) >= julianday(submitted_at)
                    THEN (julianday(NEW.decided_at) - julianday(submitted_at)) * 24 END
        FROM applications WHERE id = NEW.application_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER decisions_wait_resubmitted AFTER UPDATE OF submitted_at ON applications
BEGIN
    UPDATE decisions SET wait_hours =
        CASE WHEN julianday(decided_at) >= julianday(NEW.submitted_at)
             THEN (julianday(decided_at) - julianday(NEW.submitted_at)) * 24 END
    WHERE application_id = NEW.id;
END;

CREATE TRIGGER reports_lag_sent AFTER INSERT ON reports
BEGIN
    UPDATE reports SET lag_days = (
        SELECT julianday(substr(NEW.submitted_at, 1, 10)) - julianday(event_date)
        FROM applications WHERE id = NEW.application_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER reports_lag_resent AFTER UPDATE OF submitted_at, application_id ON reports
BEGIN
    UPDATE reports SET lag_days = (
        SELECT julianday(substr(NEW.submitted_at, 1, 10)) - julianday(event_date)
        FROM applications WHERE id = NEW.application_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER reports_lag_event_moved AFTER UPDATE OF event_date ON applications
BEGIN
    UPDATE reports SET lag_days = julianday(substr(submitted_at, 1, 10))
                                  - julianday(NEW.event_date)
    WHERE application_id = NEW.id;
END;

-- In value order: the count and the middle one are read along them, the period checked on the way.
CREATE INDEX decisions_waits_ordered ON decisions (wait_hours, decided_at)
    WHERE wait_hours IS NOT NULL;
CREATE INDEX reports_lags_ordered ON reports (lag_days, submitted_at) WHERE lag_days IS NOT NULL;

-- Activities still waiting for a report, by event day: the overdue count reads only these.
CREATE INDEX applications_awaiting_report ON applications (event_date)
    WHERE status IN ('approved', 'report_due');

-- Ledger sums by day (the ledger is append-only): points and compensation credited by the day
-- credited, bonus issued likewise (credits and positive corrections), bonus spent and expired by
-- the day the draw was written.
CREATE TABLE stats_ledger (
    day     TEXT NOT NULL,
    figure  TEXT NOT NULL,  -- points:<program>, compensation, bonus_issued, bonus_spent, bonus_expired
    amount  INTEGER NOT NULL,
    PRIMARY KEY (day, figure)
) WITHOUT ROWID;

-- Each ledger row's part in those figures: the triggers add it up, and a partner's own /stats
-- reads it for the partner's rows.
CREATE VIEW stats_ledger_shares AS
SELECT id, partner_id, credited_on AS day, 'points:' || program AS figure, amount FROM ledger
    WHERE kind = 'credit' AND program IS NOT NULL
UNION ALL
SELECT id, partner_id, credited_on, 'compensation', amount FROM ledger
    WHERE kind = 'credit' AND account = 'bonus'
UNION ALL
SELECT id, partner_id, credited_on, 'bonus_issued', amount FROM ledger
    WHERE amount > 0 AND account = 'bonus'
UNION ALL
SELECT id, partner_id, substr(created_at, 1, 10), 'bonus_spent', -amount FROM ledger
    WHERE kind = 'spend' AND account = 'bonus'
UNION ALL
SELECT id, partner_id, substr(created_at, 1, 10), 'bonus_expired', -amount FROM ledger
    WHERE kind = 'expiry' AND account = 'bonus';

INSERT INTO stats_ledger
SELECT day, figure, SUM(amount) FROM stats_ledger_shares GROUP BY day, figure;

CREATE TRIGGER stats_ledger_added AFTER INSERT ON ledger
BEGIN
    INSERT INTO stats_ledger
    SELECT day, figure, amount FROM stats_ledger_shares WHERE id = NEW.id
        ON CONFLICT DO UPDATE SET amount = amount + excluded.amount;
END;
