/**
 * A plain TCP forwarder for the fault suite's network namespace (test/faults/network.ts):
 *   node test/faults/forward.js <listenHost>:<port>=<targetHost>:<port> ...
 * Each pair accepts on the first address and pipes every connection to the second, both ways; a
 * connection whose other side fails is closed. It prints "ready" once every listener is bound.
 * Kernel-level faults (tc netem on the namespace's veth) act on the traffic it carries.
 */
const net = require('node:net');

const pairs = process.argv.slice(2).map((arg) => {
  const match = /^([\d.]+):(\d+)=([\d.]+):(\d+)$/.exec(arg);
  if (!match) throw new Error(`expected listenHost:port=targetHost:port, got "${arg}"`);
  return { host: match[1], port: Number(match[2]), toHost: match[3], toPort: Number(match[4]) };
});

let pending = pairs.length;
for (const pair of pairs) {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: pair.toHost, port: pair.toPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  server.on('error', (error) => {
    console.error(`forward ${pair.host}:${pair.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(pair.port, pair.host, () => {
    if (--pending === 0) console.log('ready');
  });
}
process.on('SIGTERM', () => process.exit(0));
