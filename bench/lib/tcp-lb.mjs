// A round-robin TCP balancer for the scale scenario: one listen port, N backends.
// Usage: node tcp-lb.mjs <listenPort> <backendPort> [<backendPort> …]
import net from 'node:net';

const [listen, ...backends] = process.argv.slice(2).map(Number);
let next = 0;
net
  .createServer((client) => {
    const port = backends[next++ % backends.length];
    const upstream = net.connect(port, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  })
  .listen(listen, '127.0.0.1', () => console.log('ready'));
