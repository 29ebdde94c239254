import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  deliveredJson,
  parseMessage,
  statusLabel,
  type Message,
} from '../../src/broker/messages.js';
import { isLoopbackBind } from '../../src/broker/bind.js';
import { bearerProblem, isJsonContentType, parseSince } from '../../src/broker/http-parse.js';

const parse = (value: unknown) => parseMessage(typeof value === 'string' ? value : JSON.stringify(value));
const errorOf = (value: unknown) => {
  const result = parse(value);
  return result.ok ? undefined : result.error;
};

describe('parseMessage: structure (invalid message JSON: …)', () => {
  it('accepts the three types with `type` anywhere and drops unknown members', () => {
    const result = parse(
      '{"payload":{"needs":"n","from":"b","extra":1},"agent_id":"a","x":true,"type":"agent.blocked"}',
    );
    expect(result).toEqual({
      ok: true,
      message: { type: 'agent.blocked', agent_id: 'a', payload: { needs: 'n', from: 'b' } },
    });
  });

  it('reports syntax, shape, variant, missing and wrong-typed members with the prefix', () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /^invalid message JSON: .+/],
      ['[1]', /^invalid message JSON: invalid type: sequence, expected a message object$/],
      [{ agent_id: 'a', payload: {} }, /^invalid message JSON: missing field `type`$/],
      [
        { type: 'agent.unknown', agent_id: 'a', payload: {} },
        /^invalid message JSON: unknown variant `agent.unknown`, expected one of/,
      ],
      [{ type: 7, agent_id: 'a', payload: {} }, /^invalid message JSON: invalid type: integer `7`/],
      [{ type: 'agent.status', payload: {} }, /missing field `agent_id`/],
      [{ type: 'agent.status', agent_id: 'a' }, /missing field `payload`/],
      [
        { type: 'agent.status', agent_id: 'a', payload: 'x' },
        /invalid type: string "x", expected a payload object/,
      ],
      [
        { type: 'agent.status', agent_id: 'a', payload: { status: 'idle' } },
        /missing field `modified_files`/,
      ],
      [
        { type: 'agent.status', agent_id: 'a', payload: { status: 'idle', modified_files: 'a.rs' } },
        /invalid type: string "a.rs", expected a sequence of strings for `modified_files`/,
      ],
      [
        { type: 'agent.status', agent_id: 'a', payload: { status: 'idle', modified_files: [1] } },
        /invalid type: integer `1`, expected a string for `modified_files\[0\]`/,
      ],
      [
        { type: 'agent.status', agent_id: 'a', payload: { status: 'idle', modified_files: [], message: 5 } },
        /expected a string or null for `message`/,
      ],
      [
        { type: 'agent.artifact', agent_id: 'a', payload: { status: 'done', exports: [] } },
        /missing field `modified_files`/,
      ],
      [
        { type: 'agent.blocked', agent_id: 1, payload: { needs: 'n', from: 'b' } },
        /invalid type: integer `1`, expected a string for `agent_id`/,
      ],
    ];
    for (const [value, pattern] of cases) expect(errorOf(value), JSON.stringify(value)).toMatch(pattern);
  });
});

describe('parseMessage: validation order (first failure wins)', () => {
  it('checks agent_id before the payload and needs before from', () => {
    expect(errorOf({ type: 'agent.blocked', agent_id: '', payload: { needs: '', from: '' } })).toBe(
      'agent_id must not be empty',
    );
    expect(errorOf({ type: 'agent.blocked', agent_id: 'A', payload: { needs: '', from: '' } })).toBe(
      'agent_id contains invalid characters — only [a-z0-9-_] allowed',
    );
    expect(errorOf({ type: 'agent.blocked', agent_id: 'a', payload: { needs: ' ', from: '' } })).toBe(
      'needs field must not be empty',
    );
    expect(errorOf({ type: 'agent.blocked', agent_id: 'a', payload: { needs: 'n', from: '\t' } })).toBe(
      'from field must not be empty',
    );
    expect(errorOf({ type: 'agent.blocked', agent_id: 'a', payload: { needs: 'n', from: 'B' } })).toBe(
      'from contains invalid characters — only [a-z0-9-_] allowed',
    );
  });

  it('keeps whitespace and control characters inside accepted strings', () => {
    const result = parse({
      type: 'agent.status',
      agent_id: 'a',
      payload: { status: ' working\n', modified_files: [] },
    });
    expect(result.ok && result.message.payload).toEqual({
      status: ' working\n',
      modified_files: [],
      message: null,
    });
  });
});

describe('canonical serialisation', () => {
  it('orders members canonically, materialises message null, and appends seq and ts', () => {
    const message: Message = {
      type: 'agent.status',
      agent_id: 'feat-x',
      payload: { modified_files: [], status: 'working', message: null },
    };
    const canonical = canonicalJson(message);
    expect(canonical).toBe(
      '{"type":"agent.status","agent_id":"feat-x","payload":{"status":"working","modified_files":[],"message":null}}',
    );
    expect(deliveredJson(canonical, 7, '2025-01-01T00:00:00.000Z')).toBe(
      '{"type":"agent.status","agent_id":"feat-x","payload":{"status":"working","modified_files":[],"message":null},"seq":7,"ts":"2025-01-01T00:00:00.000Z"}',
    );
    expect(statusLabel(message)).toBe('working');
    expect(statusLabel({ type: 'agent.blocked', agent_id: 'a', payload: { needs: 'n', from: 'b' } })).toBe(
      'blocked',
    );
  });
});

describe('request parsing helpers', () => {
  it('parses the media type properly', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType(' Application/JSON ; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/jsonx')).toBe(false);
    expect(isJsonContentType('text/plain; application/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('parses since like upstream', () => {
    expect(parseSince(null)).toEqual({ ok: true, since: 0n });
    expect(parseSince('x=1&&since=007')).toEqual({ ok: true, since: 7n });
    expect(parseSince('since=%2B5')).toEqual({ ok: true, since: 5n });
    expect(parseSince('since=+5')).toEqual({ ok: false, error: 'since must be a valid u64' });
    expect(parseSince('since=18446744073709551615')).toEqual({ ok: true, since: 18446744073709551615n });
    expect(parseSince('since=1&since=1').ok).toBe(false);
  });

  it('checks bearer tokens and loopback binds', () => {
    expect(bearerProblem('Bearer abc', 'abc')).toBeUndefined();
    expect(bearerProblem('Basic abc', 'abc')).toMatch(/^missing bearer token/);
    expect(bearerProblem('Bearer abd', 'abc')).toBe('invalid bearer token');
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackBind)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.2', 'example.com'].some(isLoopbackBind)).toBe(false);
  });
});
