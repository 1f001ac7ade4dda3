-- Tailnet coordination data is ephemeral: coordinators re-register on start, peers reconnect,
-- and tunnels are rebuilt from peer state. UNLOGGED tables skip the write-ahead log, which makes
-- heartbeats and peer updates much cheaper; a crash truncates them (and standbys do not get
-- them), which this data tolerates.
--
-- A LOGGED table cannot reference an UNLOGGED one, so the children go first.
ALTER TABLE tailnet_tunnels SET UNLOGGED;
ALTER TABLE tailnet_peers SET UNLOGGED;
ALTER TABLE tailnet_coordinators SET UNLOGGED;
