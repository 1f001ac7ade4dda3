-- OAuth2 provider: registered apps (RFC 7591), their secrets, authorization codes and tokens.
CREATE TABLE oauth2_provider_apps (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  name varchar(64) NOT NULL,
  icon varchar(256) NOT NULL DEFAULT '',
  callback_url text NOT NULL DEFAULT '',
  redirect_uris text[] NOT NULL DEFAULT '{}',
  client_type text NOT NULL DEFAULT 'confidential',
  dynamically_registered boolean NOT NULL DEFAULT false,
  client_id_issued_at timestamptz,
  client_secret_expires_at timestamptz,
  grant_types text[] NOT NULL DEFAULT '{authorization_code,refresh_token}',
  response_types text[] NOT NULL DEFAULT '{code}',
  token_endpoint_auth_method text NOT NULL DEFAULT 'client_secret_basic',
  scope text NOT NULL DEFAULT '',
  contacts text[] NOT NULL DEFAULT '{}',
  client_uri text,
  logo_uri text,
  tos_uri text,
  policy_uri text,
  jwks_uri text,
  jwks jsonb,
  software_id text,
  software_version text,
  registration_access_token bytea,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT oauth2_provider_apps_token_endpoint_auth_method_check
    CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'none'))
);
CREATE UNIQUE INDEX oauth2_provider_apps_name_key ON oauth2_provider_apps (name) WHERE dynamically_registered = false;

CREATE TABLE oauth2_provider_app_secrets (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  hashed_secret bytea NOT NULL,
  display_secret text NOT NULL,
  app_id uuid NOT NULL REFERENCES oauth2_provider_apps (id) ON DELETE CASCADE,
  secret_prefix bytea NOT NULL UNIQUE
);

CREATE TABLE oauth2_provider_app_codes (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  secret_prefix bytea NOT NULL UNIQUE,
  hashed_secret bytea NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  app_id uuid NOT NULL REFERENCES oauth2_provider_apps (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL DEFAULT '',
  resource_uri text,
  code_challenge text,
  code_challenge_method text
);

CREATE TABLE oauth2_provider_app_tokens (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  hash_prefix bytea NOT NULL UNIQUE,
  refresh_hash bytea NOT NULL,
  app_secret_id uuid REFERENCES oauth2_provider_app_secrets (id) ON DELETE CASCADE,
  app_id uuid NOT NULL REFERENCES oauth2_provider_apps (id) ON DELETE CASCADE,
  api_key_id text NOT NULL UNIQUE REFERENCES api_keys (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  audience text
);
