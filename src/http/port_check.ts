// Before anything is created: is the port free? If not, which process holds it (Linux /proc).

import { ConfigError } from "../core/errors.ts";

/** A process listening on a port, as far as /proc tells. */
export interface PortHolder {
  pid: number;
  /** Its command name (/proc/<pid>/comm), e.g. "deno" or "nginx". */
  command?: string;
}

/**
 * Throws a ConfigError when `port` cannot be bound on `hostname`, naming the port and, when
 * the system says, the process holding it (its PID and command). Port 0 (any free port) always
 * passes. The port is released again at once: the server binds it for good right after.
 *
 * @example
 * ```ts
 * await checkPortFree("127.0.0.1", 8080); // before the database is opened
 * ```
 */
export async function checkPortFree(hostname: string, port: number): Promise<void> {
  if (port === 0) return;
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname, port });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      const holder = await portHolder(port);
      const who = holder
        ? ` by process ${holder.pid}${holder.command ? ` (${holder.command})` : ""}`
        : "";
      throw new ConfigError(
        `Port ${port} on ${hostname} is already in use${who}: stop that process, or pick ` +
          `another port with --port or TIDEWATCH_PORT.`,
      );
    }
    if (err instanceof Deno.errors.AddrNotAvailable) {
      throw new ConfigError(
        `Address ${hostname} (--host) is not one of this machine's: use 127.0.0.1, 0.0.0.0 or ` +
          `an address of one of its interfaces.`,
      );
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(
        `Port ${port} on ${hostname} needs privileges this process lacks: pick a port above ` +
          `1023 with --port or TIDEWATCH_PORT.`,
      );
    }
    throw err;
  }
  listener.close();
}

/**
 * The process listening on TCP `port` (any address, IPv4 or IPv6), found through the socket's
 * inode in /proc/net/tcp{,6} and the /proc/<pid>/fd links to it; undefined when the system does
 * not say (no /proc, or the process belongs to another user).
 */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await Deno.readTextFile(table);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode (10th field); st 0A: LISTEN
      if (f.length < 10 || f[3] !== "0A") continue;
      const local = f[1].split(":");
      if (parseInt(local[local.length - 1], 16) === port && f[9] !== "0") inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  const targets = new Set([...inodes].map((i) => `socket:[${i}]`));
  let procs: Deno.DirEntry[];
  try {
    procs = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name));
  } catch {
    return undefined;
  }
  for (const p of procs) {
    let fds: Deno.DirEntry[];
    try {
      fds = [...Deno.readDirSync(`/proc/${p.name}/fd`)];
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = Deno.readLinkSync(`/proc/${p.name}/fd/${fd.name}`);
      } catch {
        continue;
      }
      if (!targets.has(link)) continue;
      let command: string | undefined;
      try {
        command = (await Deno.readTextFile(`/proc/${p.name}/comm`)).trim() || undefined;
      } catch {
        // gone since
      }
      return { pid: Number(p.name), ...(command ? { command } : {}) };
    }
  }
  return undefined;
}
