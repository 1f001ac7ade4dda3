DROP TABLE tailnet_tunnels;
DROP TABLE tailnet_peers;
DROP TABLE tailnet_coordinators;
DROP FUNCTION tailnet_notify_tunnel_change();
DROP FUNCTION tailnet_notify_peer_change();
DROP FUNCTION tailnet_notify_coordinator_heartbeat();
DROP TYPE tailnet_status;
