import { describe, expect, it } from 'vitest';
import { advanceCursor, describeInboxMessage, readSettings, roleOf } from '../../src/demo/agent.js';

const env = {
  GIT_PAW_BROKER_URL: 'http://127.0.0.1:9119/',
  GIT_PAW_BROKER_TOKEN: 'tok',
  GIT_PAW_AGENT_ID: 'feat-ui',
};

describe('demo agent', () => {
  it('derives its role from the agent id', () => {
    expect(roleOf('feat-api')).toBe('provider');
    expect(roleOf('feat-ui')).toBe('consumer');
    expect(roleOf('feat-docs')).toBe('writer');
    expect(roleOf('feat-doc')).toBe('writer');
    expect(roleOf('feat-build')).toBe('solo');
    // Whole words only: "rapid" is not "api", "guide" is not "ui".
    expect(roleOf('feat-rapid')).toBe('solo');
    expect(roleOf('feat-guide')).toBe('solo');
  });

  it('reads its settings from the environment, with argv overrides and a speed factor', () => {
    expect(readSettings(env, [])).toEqual({
      brokerUrl: 'http://127.0.0.1:9119',
      token: 'tok',
      agentId: 'feat-ui',
      role: 'consumer',
      peer: undefined,
      stepMs: 1000,
    });
    const custom = readSettings({ ...env, GIT_PAW_DEMO_SPEED: '4', GIT_PAW_BROKER_TOKEN: '' }, [
      '--role',
      'writer',
      '--peer',
      'feat-core',
    ]);
    expect(custom).toMatchObject({ role: 'writer', peer: 'feat-core', stepMs: 250, token: undefined });
  });

  it('rejects missing or bad settings with one-line reasons', () => {
    expect(() => readSettings({ ...env, GIT_PAW_BROKER_URL: '' }, [])).toThrow(
      'GIT_PAW_BROKER_URL is not set',
    );
    expect(() => readSettings({ ...env, GIT_PAW_AGENT_ID: 'Feat/UI' }, [])).toThrow(
      'GIT_PAW_AGENT_ID must be a valid agent id',
    );
    expect(() => readSettings(env, ['--role', 'boss'])).toThrow(
      '--role must be one of provider, consumer, writer, solo',
    );
    expect(() => readSettings({ ...env, GIT_PAW_DEMO_SPEED: '0' }, [])).toThrow(
      'GIT_PAW_DEMO_SPEED must be a positive number',
    );
  });

  it('keeps the previous cursor on empty replies and never moves it backwards', () => {
    const artifact = {
      type: 'agent.artifact',
      agent_id: 'feat-api',
      payload: { status: 'done', exports: [] },
    };
    expect(advanceCursor(0, { messages: [artifact], last_seq: 5 })).toBe(5);
    expect(advanceCursor(5, { messages: [], last_seq: 0 })).toBe(5);
    expect(advanceCursor(5, { messages: [], last_seq: 5 })).toBe(5);
    expect(advanceCursor(7, { messages: [artifact], last_seq: 3 })).toBe(7);
  });

  it('describes inbox messages in one line', () => {
    expect(
      describeInboxMessage({
        type: 'agent.artifact',
        agent_id: 'feat-api',
        payload: { status: 'done', exports: ['UserApi', 'GET /users'] },
      }),
    ).toBe('feat-api is done, exports UserApi, GET /users');
    expect(
      describeInboxMessage({
        type: 'agent.artifact',
        agent_id: 'feat-api',
        payload: { status: 'verified', exports: [] },
      }),
    ).toBe('feat-api is verified');
    expect(
      describeInboxMessage({
        type: 'agent.blocked',
        agent_id: 'feat-ui',
        payload: { needs: 'UserApi types', from: 'feat-api' },
      }),
    ).toBe('feat-ui is blocked and needs "UserApi types" from me');
  });
});
