// Browser test harness: a tiny static file server and a headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) with the flags DESIGN.md §5 found to give WebGL2
// and WebGPU on SwiftShader. Both are software renderers: right for correctness, not for speed.
//
// A test page reports back by setting `window.__result` to a JSON-serialisable value, or to
// `{ error: string }` when it fails; `runPage` waits for it.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** The only file types the server hands out; anything else is a 404. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on 127.0.0.1 (a random port). `/` and directory URLs map to
 * their `index.html`; `/favicon.ico` is an empty 204. Paths that leave `root` (`..`, encoded or
 * not) are refused; symbolic links inside `root` are followed, so a test may link in e.g.
 * node_modules/gpu.js/dist. GET and HEAD only; every response says `Cache-Control: no-store`. 127.0.0.1 is a secure context, so
 * `navigator.gpu` is exposed to the pages.
 */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const base = path.resolve(root);
  const server = createServer((request, response) => {
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'method not allowed\n');
      return;
    }
    void (async () => {
      let relative: string;
      try {
        relative = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
      } catch {
        send(400, 'bad request\n');
        return;
      }
      if (relative === '/favicon.ico') {
        // Chromium asks for it on every page; a 404 would log a console error that looks like a failure
        response.writeHead(204, { 'Cache-Control': 'no-store' });
        response.end();
        return;
      }
      if (relative.includes('\0')) {
        send(400, 'bad request\n');
        return;
      }
      let file = path.join(base, relative);
      const inside = path.relative(base, file);
      if (inside.startsWith('..') || path.isAbsolute(inside)) {
        send(403, 'forbidden\n');
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
        const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
        if (type === undefined) throw new Error('unserved type');
        send(200, await readFile(file), type);
      } catch {
        send(404, 'not found\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Debian's Chromium when installed (`apt-get install chromium`), else null: skip or fail then. */
export function chromiumPath(): string | null {
  return existsSync(CHROMIUM) ? CHROMIUM : null;
}

export type BrowserKind = 'webgl2' | 'webgpu';

const COMMON_ARGS = [
  '--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Chromium's command line for each kind (playwright-core adds its own defaults in front). */
export const CHROMIUM_ARGS: Readonly<Record<BrowserKind, readonly string[]>> = {
  // no GPU process: WebGL2 runs on SwiftShader through ANGLE
  webgl2: [...COMMON_ARGS, '--disable-gpu'],
  // the GPU process must run for WebGPU; Dawn then uses SwiftShader's Vulkan
  webgpu: [
    ...COMMON_ARGS, '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader',
  ],
};

/** Starts headless Chromium for `kind`; throws when /usr/bin/chromium is missing. Close it yourself. */
export async function launchChromium(kind: BrowserKind): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`);
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS[kind]] });
}

/**
 * Opens `url` in a fresh Chromium of `kind`, forwards the page's console messages, uncaught errors
 * and failed (>= 400) responses to the Node console (prefixed `[chromium <kind>]`), waits up to
 * `timeoutMs` for `window.__result` to be defined and returns it. The browser is always closed.
 * The page is expected to catch its own failures and set `{ error: string }`; an uncaught error
 * only shows up in the log (and then as the timeout).
 */
export async function runPage<T = unknown>(kind: BrowserKind, url: string, timeoutMs = 60_000): Promise<T> {
  const prefix = `[chromium ${kind}]`;
  const browser = await launchChromium(kind);
  try {
    const page = await browser.newPage();
    page.on('console', (message) => {
      const type = message.type();
      const log = type === 'error' ? console.error : type === 'warning' ? console.warn : console.log;
      log(`${prefix} console.${type}: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.error(`${prefix} page error: ${error.stack ?? error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) console.error(`${prefix} HTTP ${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      console.error(`${prefix} request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
    });
    await page.goto(url, { timeout: timeoutMs });
    const read = (): unknown => (globalThis as { __result?: unknown }).__result;
    try {
      await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, undefined, {
        timeout: timeoutMs, polling: 50,
      });
    } catch (error) {
      throw new Error(`${prefix} ${url}: window.__result not set within ${timeoutMs} ms (${String(error)})`);
    }
    return (await page.evaluate(read)) as T;
  } finally {
    await browser.close();
  }
}
