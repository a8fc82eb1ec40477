-- What the supervision figures read of each stored case: its events stripped of the applicant,
-- written with the document in one transaction. NULL for a document that is not a readable case.
CREATE TABLE case_facts (
    township TEXT NOT NULL, doc_id TEXT NOT NULL, facts TEXT,
    PRIMARY KEY (township, doc_id));
