import type { Writable } from 'node:stream';

const WIDTH = 30;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * Progress of reading a file, on stderr: a bar redrawn in place on a terminal (at most
 * ten times a second), or a plain line every 10% when the output is a file or a pipe.
 */
export function progressBar(out: Writable & { isTTY?: boolean }, label: string, total: number): { update(bytes: number): void; done(): void } {
  const tty = Boolean(out.isTTY);
  let lastDraw = 0;
  let lastTenth = -1;
  const fraction = (bytes: number) => (total > 0 ? Math.min(1, bytes / total) : 1);
  const draw = (bytes: number) => {
    const f = fraction(bytes);
    const filled = Math.round(f * WIDTH);
    out.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${mb(bytes)} of ${mb(total)} MB`);
  };
  return {
    update(bytes) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        draw(bytes);
        return;
      }
      const tenth = Math.floor(fraction(bytes) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${label}: ${tenth * 10}% (${mb(bytes)} of ${mb(total)} MB read)\n`);
      }
    },
    done() {
      if (tty) {
        draw(total);
        out.write('\n');
      } else if (lastTenth < 10) {
        out.write(`${label}: 100% (${mb(total)} of ${mb(total)} MB read)\n`);
      }
    },
  };
}
