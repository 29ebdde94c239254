import { describe, expect, it } from 'vitest';
import { branchPrefix, brokerSettings, isLoopbackAddress, loggingEnabled, mouseEnabled } from '../../src/config/effective.js';
import { emptyConfig, type PawConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/util/errors.js';

function withBroker(broker: PawConfig['broker']): PawConfig {
  return { ...emptyConfig(), broker };
}

describe('effective settings', () => {
  it('applies the defaults: upstream\'s, except that the broker is on', () => {
    const config = emptyConfig();
    expect(mouseEnabled(config)).toBe(true);
    expect(branchPrefix(config)).toBe('spec/');
    expect(loggingEnabled(config)).toBe(false);
    expect(brokerSettings(config)).toEqual({ enabled: true, port: undefined, bind: '127.0.0.1', allowRemote: false, auth: 'token', mcp: true });
  });

  it('turns the broker off only when enabled = false is written', () => {
    expect(brokerSettings(withBroker({ enabled: false })).enabled).toBe(false);
    expect(brokerSettings(withBroker({ port: 9200 })).enabled).toBe(true);
  });

  it('passes configured broker values through', () => {
    expect(brokerSettings(withBroker({ enabled: true, port: 9200, bind: '::1', auth: 'none' }))).toEqual({
      enabled: true,
      port: 9200,
      bind: '::1',
      allowRemote: false,
      auth: 'none',
      mcp: true,
    });
  });

  it('turns MCP off with mcp = false, and refuses mcp = true without the broker', () => {
    expect(brokerSettings(withBroker({ mcp: false })).mcp).toBe(false);
    expect(() => brokerSettings(withBroker({ enabled: false, mcp: true }))).toThrow(
      'Config error: [broker] mcp = true needs the broker, but [broker] enabled = false',
    );
  });

  it('turns the log size limit into bytes, and leaves it to the broker when unset', () => {
    expect(brokerSettings(withBroker({ log_limit: '512KiB' })).logLimit).toBe(512 * 1024);
    expect(brokerSettings(withBroker({ log_limit: '2GiB' })).logLimit).toBe(2 * 1024 ** 3);
    expect(brokerSettings(withBroker({})).logLimit).toBeUndefined();
  });

  it('rejects a port outside 1..65535', () => {
    for (const port of [0, 65536, 70000, 1.5]) {
      expect(() => brokerSettings(withBroker({ port }))).toThrow(ConfigError);
    }
    expect(() => brokerSettings(withBroker({ port: 70000 }))).toThrow('Config error: [broker] port = 70000 is not a port number between 1 and 65535');
  });

  it('refuses a non-loopback bind unless allow_remote is set, with a hint', () => {
    let error: unknown;
    try {
      brokerSettings(withBroker({ bind: '0.0.0.0' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('[broker] bind = "0.0.0.0" is not a loopback address');
    expect((error as ConfigError).hint).toContain('[broker] allow_remote = true');
    expect(brokerSettings(withBroker({ bind: '0.0.0.0', allow_remote: true })).bind).toBe('0.0.0.0');
    expect(() => brokerSettings(withBroker({ bind: '' }))).toThrow('bind must not be empty');
  });

  it('treats 127.0.0.0/8, ::1 and localhost as loopback', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
    for (const address of ['0.0.0.0', '128.0.0.1', '192.168.1.10', '::', 'example.com', '127.0.0.1.example.com']) {
      expect(isLoopbackAddress(address), address).toBe(false);
    }
  });
});
