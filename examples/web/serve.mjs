// A static server for the web example:
//   bash scripts/build-wasm.sh && node examples/web/serve.mjs [port]
// then open http://127.0.0.1:8080/ (element.html, react.html, vue.html: the
// <journey-map> element). Serves the pages, the npm package's browser build
// under /pkg/, the example documents under /data/ and React and Vue under
// /vendor/.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mounts = [
  ['/pkg/', join(root, 'target/npm/journey-wasm')],
  // React and Vue for their example pages, from the JS tools (scripts/js-tools.sh).
  ['/vendor/', join(root, 'target/npm/tools/node_modules')],
  ['/data/', join(root, 'examples/data')],
  ['/', join(root, 'examples/web')],
];
const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm', '.css': 'text/css',
};

export function serve(port = 8080, host = '127.0.0.1') {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
    const relative = normalize(path.slice(prefix.length) || 'index.html');
    if (relative.startsWith('..')) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(join(dir, relative.endsWith('/') ? `${relative}index.html` : relative));
      response.writeHead(200, { 'content-type': types[extname(relative)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`http://127.0.0.1:${server.address().port}/`);
}
