-- What a search box's text means as a query (issue 16): every word the text has,
-- found by the same parser and dictionaries that made the index's words, each as a
-- prefix. Splitting the text any other way misses what people see: "2026-01-15" is
-- indexed as '2026', '-01' and '-15', and "bob" must match 'bob@example.com'. Each
-- word is quoted (quotes doubled, backslashes escaped) so nothing typed is query
-- syntax. NULL for text without words, which matches nothing.
CREATE FUNCTION task_search_query(search text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (
        SELECT to_tsquery('task_search'::regconfig, string_agg(
            '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & '))
        FROM unnest(to_tsvector('task_search'::regconfig, search))
    );
