-- Two-factor login (src/security/second-factor.ts): one TOTP secret per user (RFC 6238), kept
-- encrypted (AES-256-GCM, src/security/secret-box.ts), pending until the user proves it with a
-- code, and one-time recovery codes stored as bcrypt hashes like passwords.

create table user_totp (
  user_id uuid primary key references users (id),
  -- base64url(iv | ciphertext | tag) of the base32 secret; never returned after enrolment
  secret_enc text not null,
  confirmed_at timestamptz,
  -- the time step of the last code accepted: a code of this step or earlier is a replay (RFC 6238 §5.2)
  last_step bigint,
  created_at timestamptz not null default now()
);

create table recovery_codes (
  id bigserial primary key,
  user_id uuid not null references users (id),
  code_hash text not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create index recovery_codes_user on recovery_codes (user_id) where used_at is null;
