-- Search (issue 16): words and word prefixes in a person's titles and descriptions,
-- ignoring case and accents, fast with 100,000 tasks.
--
-- Full-text search rather than pg_trgm: a person searches for words ("milk",
-- "invoice 2026", or the start of one as they type), which is what a tsquery of
-- prefixes (`milk:* & 2026:*`) matches, through an index whose entries are the
-- words themselves. Trigrams match any three letters anywhere ("ilk" finds "milk"),
-- cannot use their index below three characters, and need a similarity threshold
-- to rank. The configuration copies `simple` (lowercase, no stemming, no stop
-- words: a person's tasks may be in any language) and strips accents first
-- (`unaccent`), so "cafe" finds "Café" and "CAFÉ" finds "cafe".
--
-- The index holds the person with the words (`btree_gin`), so a search reads only
-- that person's entries. Both extensions are trusted (PostgreSQL 13+): the
-- database's owner may create them, on Neon as on a local server. The index is on
-- an expression, not a new column: nothing is rewritten and older binaries never
-- see it. (Migrations run in a transaction, so this takes the table's write lock
-- while it builds: seconds for millions of rows.)
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TEXT SEARCH CONFIGURATION task_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION task_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
                      numword, numhword, hword_numpart
    WITH unaccent, simple;

-- The same expression as the searches in src/tasks/ssr/repo.rs, or they cannot use it.
CREATE INDEX tasks_search ON tasks USING gin (
    user_id,
    to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
);
