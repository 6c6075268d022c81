import { describe, expect, it } from 'vitest';
import { sharedReads } from '../../src/api/shared-reads.ts';

/** A read whose answer is the value of `state` when it starts, and that ends when told to. */
function controlledReads(state: { value: number }) {
  const pending: (() => void)[] = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve) => {
      started++;
      const seen = state.value;
      pending.push(() => resolve(seen));
    });
  const finishOne = async () => {
    await new Promise((r) => setImmediate(r));
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { read, finishOne, started: () => started };
}

describe('shared reads', () => {
  it('serves every caller that arrives during a read with one following read', async () => {
    const state = { value: 1 };
    const { read, finishOne, started } = controlledReads(state);
    const shared = sharedReads<number>();
    const first = shared('acct', read);
    state.value = 2; // a write the callers below have seen complete
    const later = [shared('acct', read), shared('acct', read), shared('acct', read)];
    await finishOne();
    await finishOne();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
    expect(started()).toBe(2);
  });

  it('never answers a caller with a read that started before it arrived', async () => {
    const state = { value: 0 };
    const { read, finishOne } = controlledReads(state);
    const shared = sharedReads<number>();
    const answers: Promise<{ arrivedAfter: number; answer: number }>[] = [];
    for (let i = 1; i <= 5; i++) {
      state.value = i;
      const arrivedAfter = i;
      answers.push(shared('acct', read).then((answer) => ({ arrivedAfter, answer })));
      if (i % 2 === 0) await finishOne();
    }
    for (let i = 0; i < 5; i++) await finishOne();
    for (const { arrivedAfter, answer } of await Promise.all(answers)) expect(answer).toBeGreaterThanOrEqual(arrivedAfter);
  });

  it('reads each key on its own', async () => {
    const shared = sharedReads<string>();
    const [a, b] = await Promise.all([shared('a', async () => 'A'), shared('b', async () => 'B')]);
    expect([a, b]).toEqual(['A', 'B']);
  });

  it('hands a failed read to the callers that shared it, and reads again for the next caller', async () => {
    const shared = sharedReads<string>();
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('database down');
    };
    const [one, two] = await Promise.allSettled([shared('acct', failing), shared('acct', failing)]);
    expect(one.status).toBe('rejected');
    expect(two.status).toBe('rejected');
    expect(await shared('acct', async () => 'back')).toBe('back');
    expect(calls).toBe(2);
  });
});
