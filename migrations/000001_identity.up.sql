-- Identity: organizations, users, members, groups and API keys, with Coder's names and shapes.
CREATE TYPE user_status AS ENUM ('active', 'suspended', 'dormant');
CREATE TYPE login_type AS ENUM ('password', 'github', 'oidc', 'token', 'none', 'oauth2_provider_app');

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  display_name text NOT NULL DEFAULT '',
  icon text NOT NULL DEFAULT '',
  deleted boolean NOT NULL DEFAULT false,
  workspace_sharing_disabled boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX idx_organization_name_lower ON organizations (lower(name)) WHERE deleted = false;
CREATE UNIQUE INDEX organizations_single_default_org ON organizations (is_default) WHERE is_default = true;

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  username text NOT NULL DEFAULT '',
  hashed_password bytea NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  status user_status NOT NULL DEFAULT 'dormant',
  rbac_roles text[] NOT NULL DEFAULT '{}',
  login_type login_type NOT NULL DEFAULT 'password',
  avatar_url text NOT NULL DEFAULT '',
  deleted boolean NOT NULL DEFAULT false,
  name text NOT NULL DEFAULT '',
  last_seen_at timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00',
  is_system boolean NOT NULL DEFAULT false,
  is_service_account boolean NOT NULL DEFAULT false,
  CONSTRAINT users_username_min_length CHECK (length(username) >= 1)
);
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username)) WHERE deleted = false;
CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email)) WHERE deleted = false AND email <> '';
CREATE VIEW visible_users AS SELECT id, username, name, avatar_url FROM users;

CREATE TABLE organization_members (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  roles text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (organization_id, user_id)
);

-- The "Everyone" group of an organization has group.id = organization.id.
CREATE TABLE groups (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  avatar_url text NOT NULL DEFAULT '',
  quota_allowance integer NOT NULL DEFAULT 0,
  display_name text NOT NULL DEFAULT '',
  UNIQUE (name, organization_id)
);

CREATE TABLE group_members (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);

-- API keys are "<10-char id>-<22-char secret>"; only sha256(secret) is stored.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  hashed_secret bytea NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  last_used timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  login_type login_type NOT NULL,
  lifetime_seconds bigint NOT NULL DEFAULT 86400,
  ip_address inet NOT NULL DEFAULT '0.0.0.0',
  token_name text NOT NULL DEFAULT '',
  scopes text[] NOT NULL DEFAULT '{all}'
);
CREATE INDEX idx_api_keys_user ON api_keys (user_id);
CREATE UNIQUE INDEX idx_api_keys_token_name ON api_keys (user_id, token_name) WHERE login_type = 'token' AND token_name <> '';
