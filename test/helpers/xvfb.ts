// A private X display for tests that need one (headless-gl opens its GL context on X): starts
// Xvfb on a free display number and returns it, or null when Xvfb is not installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface VirtualDisplay {
  /** The DISPLAY value, e.g. ':93'. */
  display: string;
  stop(): void;
}

function findXvfb(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/Xvfb`)) return `${dir}/Xvfb`;
  }
  return null;
}

export async function startXvfb(): Promise<VirtualDisplay | null> {
  const xvfb = findXvfb();
  if (!xvfb) return null;
  let number = 90 + (process.pid % 400);
  while (existsSync(`/tmp/.X${number}-lock`) || existsSync(`/tmp/.X11-unix/X${number}`)) number++;
  const child: ChildProcess = spawn(xvfb, [`:${number}`, '-screen', '0', '640x480x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const socket = `/tmp/.X11-unix/X${number}`;
  for (let waited = 0; !existsSync(socket); waited += 50) {
    if (exited || waited > 10_000) throw new Error(`Xvfb :${number} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { display: `:${number}`, stop: () => { child.kill(); } };
}
