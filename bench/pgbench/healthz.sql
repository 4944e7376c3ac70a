-- GET /healthz: one round trip (src/server/health.rs).
SELECT 1;
