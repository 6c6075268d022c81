import net from 'node:net';
import postgres from 'postgres';

/** A pool whose socket writes are counted: each write is one send of what the driver had queued. */
export function countingPool(url: string, options: Record<string, unknown>) {
  const counter = { writes: 0 };
  const socket = ({ host, port }: { host: string[]; port: number[] }) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port[0]!, host[0]!, () => resolve(s));
      s.once('error', reject);
      const write = s.write.bind(s) as (...args: unknown[]) => boolean;
      s.write = ((...args: unknown[]) => {
        counter.writes++;
        return write(...args);
      }) as typeof s.write;
    });
  // `socket` is an option of the driver that its types leave out
  const withSocket = { onnotice: () => {}, socket, ...options };
  const sql = postgres(url, withSocket);
  return { sql, counter };
}
