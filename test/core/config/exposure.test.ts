/** Which listen addresses other machines can reach, and the warning each gets. */
import { describe, expect, it } from 'vitest';
import { expandIPv6, exposureWarnings, isLoopbackAddress } from '../../../core/config/exposure';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '0000::0001', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])('%s is loopback', (host) => {
    expect(isLoopbackAddress(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '[::]', '192.168.1.20', '10.0.0.5', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1%eth0', 'example.com', 'localhost.example', '127.0.0.256', '1::1'])(
    '%s is not',
    (host) => {
      expect(isLoopbackAddress(host)).toBe(false);
    },
  );
});

describe('expandIPv6', () => {
  it('expands the short forms and a dotted tail, and refuses what is not an address', () => {
    expect(expandIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(expandIPv6('fe80::1:2')).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(expandIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(expandIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ['1::2::3', '1:2:3', 'dead', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '::1.2.3.999']) expect(expandIPv6(bad), bad).toBeUndefined();
  });
});

describe('exposureWarnings', () => {
  it('warns once per service beyond loopback, naming it and the address, in workspace order', () => {
    const warnings = exposureWarnings({
      services: [
        { name: 'local', listen: '127.0.0.1:8080' },
        { name: 'all', listen: '0.0.0.0:8081' },
        { name: 'six', listen: '[::]:8082' },
        { name: 'lan', listen: '192.168.1.20:8083' },
        { name: 'named', listen: 'myhost:8084' },
        { name: 'v6local', listen: '[::1]:8085' },
        { name: 'byname', listen: 'localhost:0' },
      ],
    });
    expect(warnings).toEqual([
      {
        service: 'all',
        listen: '0.0.0.0:8081',
        message: 'service "all" listens on 0.0.0.0:8081: every IPv4 address of this machine, reachable from other machines (use 127.0.0.1:8081 to keep it on this machine)',
      },
      {
        service: 'six',
        listen: '[::]:8082',
        message: 'service "six" listens on [::]:8082: every address of this machine, reachable from other machines (use 127.0.0.1:8082 to keep it on this machine)',
      },
      {
        service: 'lan',
        listen: '192.168.1.20:8083',
        message: 'service "lan" listens on 192.168.1.20:8083: an address other machines may reach (use 127.0.0.1:8083 to keep it on this machine)',
      },
      {
        service: 'named',
        listen: 'myhost:8084',
        message: 'service "named" listens on myhost:8084: a host name that may resolve to an address other machines reach (use 127.0.0.1:8084 to keep it on this machine)',
      },
    ]);
  });

  it('says nothing for a loopback-only workspace', () => {
    expect(exposureWarnings({ services: [{ name: 'a', listen: '127.0.0.1:0' }, { name: 'b', listen: '[::1]:9' }] })).toEqual([]);
  });
});
