import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressGroup } from './address-group.ts';

describe('addressGroup', () => {
  it('counts an IPv6 address by its /64, however it is written', () => {
    assert.equal(addressGroup('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:0DB8:0001:0002:0000:0000:0000:0009'), '2001:db8:1:2::/64');
    assert.notEqual(addressGroup('2001:db8:1:3::1'), addressGroup('2001:db8:1:2::1'));
  });

  it('keeps IPv4 addresses apart, and reads an IPv4-mapped address as its IPv4 one', () => {
    assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
    assert.notEqual(addressGroup('192.0.2.8'), addressGroup('192.0.2.7'));
    assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
  });

  it('leaves what is not an address as it is', () => {
    assert.equal(addressGroup('unknown'), 'unknown');
  });
});
