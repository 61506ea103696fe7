-- 0015: the web survey (issue 12). A single-use code lets one respondent submit one form of
-- one commune and group through `parindex serve`'s survey page; only its SHA-256 is kept, so
-- the database cannot print a code again. The channel of a batch says how its submissions
-- came: collect (ODK Collect, a zip, Central's CSV), web (a survey page opened with a code),
-- open (a commune's open link, the poster), paper (keyed from paper forms).

CREATE TABLE survey_code (
    id           INTEGER PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,  -- sha256 hex of the code's 16 characters, upper case
    commune_code TEXT NOT NULL REFERENCES commune (code),
    group_id     TEXT NOT NULL,
    sheet        INTEGER NOT NULL,      -- the `codes issue` run that made it
    issued_at    TEXT NOT NULL,
    used_at      TEXT,                  -- set in the transaction that stores its submission
    instance_id  TEXT,                  -- that submission
    voided_at    TEXT                   -- `codes void`: refused from then on
) STRICT;
CREATE INDEX survey_code_commune ON survey_code (commune_code, group_id);
CREATE INDEX survey_code_sheet ON survey_code (sheet);

ALTER TABLE batch ADD COLUMN channel TEXT NOT NULL DEFAULT 'collect'
    CHECK (channel IN ('collect', 'web', 'open', 'paper'));

-- the channel of each submission, through its batch
CREATE VIEW submission_channel AS
    SELECT s.id AS submission_id, b.channel AS channel
    FROM submission s JOIN batch b ON b.id = s.batch_id;
