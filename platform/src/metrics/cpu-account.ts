/**
 * CPU accounting for the benchmarks, so figures can be read apart from the machine's load (it is
 * shared): the CPU seconds of this process and of the PostgreSQL backends serving ITS connections.
 * Our backends are found exactly: this process's TCP sockets (/proc/self/fd → socket inodes →
 * /proc/net/tcp local ports) matched with `pg_stat_activity.client_port`. Linux only; elsewhere
 * the PostgreSQL share reads 0.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { SqlExecutor } from '../database/sql-executor.js';

const HZ = 100;

function ticksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function ownLocalPorts(): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const link = readlinkSync(`/proc/self/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match?.[1] !== undefined) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }
    const ports: number[] = [];
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        const local = cols[1];
        const inode = cols[9];
        if (local === undefined || inode === undefined || !inodes.has(inode)) continue;
        ports.push(Number.parseInt(local.split(':')[1] ?? '0', 16));
      }
    }
    return ports;
  } catch {
    return [];
  }
}

export interface CpuAccount {
  /** Looks for new backends of ours and reads every known backend's CPU (call it now and then). */
  sample(db: SqlExecutor): Promise<void>;
  /** CPU seconds since `start`: this process, and our PostgreSQL backends. */
  seconds(): { node: number; postgres: number };
}

export function cpuAccount(): CpuAccount {
  const nodeStart = process.cpuUsage();
  /** Per backend pid: ticks when first seen (0 if it was born after the account), last ticks. */
  const backends = new Map<number, { first: number; last: number }>();
  const startedAt = Date.now();
  return {
    async sample(db) {
      const ports = ownLocalPorts();
      if (ports.length > 0) {
        const { rows } = await db.query<{ pid: number; born: boolean }>(
          `select pid, backend_start >= $2 as born from pg_stat_activity where client_port = any($1::int[])`,
          [ports, new Date(startedAt - 1000)],
        );
        for (const { pid, born } of rows) {
          if (backends.has(pid)) continue;
          backends.set(pid, { first: born ? 0 : (ticksOf(pid) ?? 0), last: 0 });
        }
      }
      for (const [pid, entry] of backends) {
        const ticks = ticksOf(pid);
        if (ticks !== undefined) entry.last = Math.max(entry.last, ticks);
      }
    },
    seconds() {
      const usage = process.cpuUsage(nodeStart);
      let ticks = 0;
      for (const { first, last } of backends.values()) ticks += Math.max(0, last - first);
      return { node: (usage.user + usage.system) / 1e6, postgres: ticks / HZ };
    },
  };
}
