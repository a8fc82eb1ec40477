-- A case a township reported up (上报) is shared with its county's unit (the county's accounts and
-- desks, kept like a township's under the code ending in 000): the unit's own feed position for
-- each change, so county desks sync exactly the cases sent to them.
CREATE TABLE shared_docs (
    unit TEXT NOT NULL, township TEXT NOT NULL, doc_id TEXT NOT NULL, seq BIGINT NOT NULL,
    PRIMARY KEY (unit, doc_id));
CREATE INDEX shared_docs_by_seq ON shared_docs (unit, seq);
