-- Tailnet coordination (v2 tables only: the v1 tables were dropped by Coder's 000410 and are
-- never created here). Coordinators heartbeat; peers and tunnels change often, and every change
-- is announced with pg_notify so replicas learn of it.
CREATE TYPE tailnet_status AS ENUM ('ok', 'lost');

CREATE TABLE tailnet_coordinators (
  id uuid PRIMARY KEY,
  heartbeat_at timestamptz NOT NULL
);

CREATE TABLE tailnet_peers (
  id uuid NOT NULL,
  coordinator_id uuid NOT NULL REFERENCES tailnet_coordinators (id) ON DELETE CASCADE,
  updated_at timestamptz NOT NULL,
  node bytea NOT NULL,
  status tailnet_status NOT NULL DEFAULT 'ok',
  PRIMARY KEY (id, coordinator_id)
);
CREATE INDEX idx_tailnet_peers_coordinator ON tailnet_peers (coordinator_id);

CREATE TABLE tailnet_tunnels (
  coordinator_id uuid NOT NULL REFERENCES tailnet_coordinators (id) ON DELETE CASCADE,
  src_id uuid NOT NULL,
  dst_id uuid NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (coordinator_id, src_id, dst_id)
);
CREATE INDEX idx_tailnet_tunnels_src_id ON tailnet_tunnels USING hash (src_id);
CREATE INDEX idx_tailnet_tunnels_dst_id ON tailnet_tunnels USING hash (dst_id);

CREATE FUNCTION tailnet_notify_coordinator_heartbeat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tailnet_coordinator_heartbeat', NEW.id::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER tailnet_notify_coordinator_heartbeat AFTER INSERT OR UPDATE ON tailnet_coordinators
  FOR EACH ROW EXECUTE FUNCTION tailnet_notify_coordinator_heartbeat();

CREATE FUNCTION tailnet_notify_peer_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD IS NOT NULL) THEN
    PERFORM pg_notify('tailnet_peer_update', OLD.id::text);
    RETURN NULL;
  END IF;
  PERFORM pg_notify('tailnet_peer_update', NEW.id::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER tailnet_notify_peer_change AFTER INSERT OR UPDATE OR DELETE ON tailnet_peers
  FOR EACH ROW EXECUTE FUNCTION tailnet_notify_peer_change();

CREATE FUNCTION tailnet_notify_tunnel_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW IS NOT NULL) THEN
    PERFORM pg_notify('tailnet_tunnel_update', NEW.src_id || ',' || NEW.dst_id);
    RETURN NULL;
  END IF;
  PERFORM pg_notify('tailnet_tunnel_update', OLD.src_id || ',' || OLD.dst_id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER tailnet_notify_tunnel_change AFTER INSERT OR UPDATE OR DELETE ON tailnet_tunnels
  FOR EACH ROW EXECUTE FUNCTION tailnet_notify_tunnel_change();
