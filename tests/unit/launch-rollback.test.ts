import { describe, expect, it } from 'vitest';
import { Rollback, withRollback } from '../../src/launch/rollback.js';
import { CancelledError } from '../../src/util/errors.js';

describe('withRollback', () => {
  it('undoes registered steps newest first and rethrows the failure', async () => {
    const undone: string[] = [];
    await expect(
      withRollback(async (rollback) => {
        rollback.add('first', () => void undone.push('first'));
        rollback.add('second', async () => void undone.push('second'));
        throw new Error('step 3 failed');
      }),
    ).rejects.toThrow('step 3 failed');
    expect(undone).toEqual(['second', 'first']);
  });

  it('keeps undoing when one undo step fails, and reports what was left', async () => {
    const rollback = new Rollback();
    const undone: string[] = [];
    rollback.add('worktree x', () => void undone.push('x'));
    rollback.add('branch y', () => {
      throw new Error('locked');
    });
    expect(await rollback.undoAll()).toEqual(['branch y (locked)']);
    expect(undone).toEqual(['x']);
  });

  it('undoes nothing on success', async () => {
    const undone: string[] = [];
    const result = await withRollback(async (rollback) => {
      rollback.add('x', () => void undone.push('x'));
      return 7;
    });
    expect(result).toBe(7);
    expect(undone).toEqual([]);
  });

  it('turns an interruption into a cancellation at the next checkpoint', async () => {
    const undone: string[] = [];
    await expect(
      withRollback(async (rollback) => {
        rollback.add('x', () => void undone.push('x'));
        process.emit('SIGINT');
        rollback.checkpoint();
        return 1;
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(undone).toEqual(['x']);
  });
});
