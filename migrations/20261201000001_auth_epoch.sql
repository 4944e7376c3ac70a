-- A person's authentication epoch: raised by every password change, copied into each
-- session at log-in, and compared on every session load. A log-in that verified the
-- old password but wrote its session after the change committed holds an older
-- epoch, so its session is dead on arrival. Additive: an older binary ignores it.
ALTER TABLE users ADD COLUMN auth_epoch bigint NOT NULL DEFAULT 0;
