-- Keys the app makes for itself on first start and every instance shares (issue 14).
-- `form_return`: signs what a plain form post sends back to its page in the query
-- string (the error, what was typed, "saved"), so a crafted link cannot make a page
-- show text the app did not write.
CREATE TABLE app_secrets (
    name       text        PRIMARY KEY,
    value      bytea       NOT NULL CHECK (octet_length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
