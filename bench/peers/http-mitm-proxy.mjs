// The http-mitm-proxy peer: intercepts every CONNECT and sends each decrypted request to the
// bench backend over a keep-alive agent, as aibridge's proxy sends it to the bridge.
// Usage: node http-mitm-proxy.mjs <listenPort> <backendPort> <sslCaDir>
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Proxy } from 'http-mitm-proxy';

// The bench asks for the longest event-loop block since the last ask with SIGUSR2.
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
process.on('SIGUSR2', () => {
  console.log(`eld-max-ms ${(eld.max / 1e6).toFixed(1)}`);
  eld.reset();
});

const [listenPort, backendPort, sslCaDir] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = new Proxy();
proxy.onError((_ctx, err) => {
  if (err && err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error('peer error', err.message);
});
proxy.onRequest((ctx, callback) => {
  ctx.isSSL = false;
  Object.assign(ctx.proxyToServerRequestOptions, { host: '127.0.0.1', port: Number(backendPort), agent });
  callback();
});
proxy.listen({ port: Number(listenPort), host: '127.0.0.1', sslCaDir, keepAlive: true }, (err) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log('ready');
});
