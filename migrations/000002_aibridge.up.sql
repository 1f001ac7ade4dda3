-- AI Bridge records, with Coder's table and column names (coderd migration 000370_aibridge and
-- later ones). Like Coder, no foreign keys: records outlive users and keys, and the recorder
-- writes them in batches, in any order, from a queue or a disk spool.
CREATE TABLE aibridge_interceptions (
  id uuid PRIMARY KEY,
  initiator_id uuid NOT NULL,
  api_key_id text,
  provider text NOT NULL,
  provider_name text NOT NULL DEFAULT '',
  model text NOT NULL,
  client text,
  user_agent text NOT NULL DEFAULT '',
  -- X-Claude-Code-Session-Id, session-id or session_id of the client.
  client_session_id text,
  -- 'centralized' (the provider key configured on the bridge) or 'byok' (the user's own key).
  credential_kind text NOT NULL DEFAULT 'centralized',
  -- A masked hint of the provider key used, never the key.
  credential_hint text NOT NULL DEFAULT '',
  -- The bridged endpoint: chat-completions, responses, messages.
  endpoint text NOT NULL DEFAULT '',
  -- The status the client got (0 when the client went away first).
  status_code integer NOT NULL DEFAULT 0,
  thread_parent_id uuid,
  thread_root_id uuid,
  metadata jsonb,
  annotations jsonb,
  started_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX idx_aibridge_interceptions_started_id ON aibridge_interceptions (started_at DESC, id DESC);
CREATE INDEX idx_aibridge_interceptions_initiator_id ON aibridge_interceptions (initiator_id);
-- provider, model and client are few-valued filters applied along the started_at index; an
-- index each would cost every insert more than it saves a listing.
CREATE INDEX idx_aibridge_interceptions_session ON aibridge_interceptions (client_session_id);

CREATE TABLE aibridge_token_usages (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL,
  provider_response_id text NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  -- cache_read_input_tokens, cache_creation_input_tokens, reasoning_tokens, ...
  metadata jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX idx_aibridge_token_usages_interception_id ON aibridge_token_usages (interception_id);

CREATE TABLE aibridge_user_prompts (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL,
  provider_response_id text NOT NULL,
  prompt text NOT NULL,
  metadata jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX idx_aibridge_user_prompts_interception_id ON aibridge_user_prompts (interception_id);

CREATE TABLE aibridge_tool_usages (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL,
  provider_response_id text NOT NULL,
  provider_tool_call_id text,
  server_url text,
  tool text NOT NULL,
  input text NOT NULL,
  injected boolean NOT NULL DEFAULT false,
  invocation_error text,
  metadata jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX idx_aibridge_tool_usages_interception_id ON aibridge_tool_usages (interception_id);

-- Coder's table has no id; this one has, so that a replayed batch inserts nothing twice.
CREATE TABLE aibridge_model_thoughts (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL,
  provider_response_id text NOT NULL DEFAULT '',
  content text NOT NULL,
  metadata jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX idx_aibridge_model_thoughts_interception_id ON aibridge_model_thoughts (interception_id);
