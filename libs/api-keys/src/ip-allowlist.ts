import { BlockList, isIP } from 'node:net';
import type { FieldError } from '@app/common';

/** Validates `allowed_ips` entries: IPv4/IPv6 addresses or CIDRs. */
export function validateAllowedIps(value: unknown): FieldError[] {
  if (!Array.isArray(value) || value.length > 100)
    return [{ field: 'allowed_ips', message: 'must be a list of at most 100 addresses or CIDRs' }];
  const errors: FieldError[] = [];
  value.forEach((entry, i) => {
    const [addr, bits, extra] = typeof entry === 'string' ? entry.split('/') : [];
    const family = addr ? isIP(addr) : 0;
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))) {
      errors.push({ field: `allowed_ips[${i}]`, message: `"${String(entry)}" is not an IPv4/IPv6 address or CIDR` });
    }
  });
  return errors;
}

/** A matcher for validated entries; null means "any address". */
export function compileAllowlist(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** Matches IPv4-mapped IPv6 client addresses (`::ffff:1.2.3.4`) against IPv4 rules too. */
export function ipAllowed(list: BlockList | null, ip: string): boolean {
  if (!list) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return list.check(mapped[1], 'ipv4') || list.check(ip, 'ipv6');
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
