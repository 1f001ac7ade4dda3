-- An UNLOGGED table may reference a LOGGED one, not the reverse: the parent goes first.
ALTER TABLE tailnet_coordinators SET LOGGED;
ALTER TABLE tailnet_peers SET LOGGED;
ALTER TABLE tailnet_tunnels SET LOGGED;
