// CPU seconds of processes from /proc (Linux; null elsewhere): on a machine whose CPUs every
// part of a benchmark shares, this says where the time goes, whatever else runs meanwhile.
import { promises as fs } from 'node:fs';

async function stat(pid) {
  try {
    const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // state ppid ... utime(11) stime(12) cutime(13) cstime(14), in USER_HZ (100 a second)
    return {
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / 100,
      reaped: (Number(fields[13]) + Number(fields[14])) / 100,
      faults: Number(fields[7]),
      user: Number(fields[11]) / 100,
      system: Number(fields[12]) / 100,
    };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by a process (all its threads), or null when it cannot be read. */
export async function processSeconds(pid) {
  const s = await stat(pid);
  return s ? s.own : null;
}

/**
 * CPU seconds used so far by a process and its descendants, the ones still running and the
 * ones that ended (a Postgres server: its postmaster, background processes and backends).
 */
export async function treeSeconds(pid) {
  const root = await stat(pid);
  if (!root) return null;
  const children = new Map();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = await stat(entry);
    if (!s) continue;
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(s);
  }
  let total = root.own + root.reaped;
  const walk = (ppid) => {
    for (const child of children.get(ppid) ?? []) total += child.own;
  };
  walk(pid);
  return total;
}

/** CPU seconds so far of each thread of a process, by thread name (threads of a name added). */
export async function threadSeconds(pid) {
  const out = {};
  for (const tid of await fs.readdir(`/proc/${pid}/task`).catch(() => [])) {
    const s = await stat(`${pid}/task/${tid}`);
    const name = (
      await fs.readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '?')
    ).trim();
    if (s && s.own > 0.05) out[`${name}:${tid}`] = `${s.user}u+${s.system}s ${s.faults}pf`;
  }
  return out;
}
