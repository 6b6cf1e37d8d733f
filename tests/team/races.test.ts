import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_URL, Session, adminQuery, freshDatabase, startDesk, type Desk, type Envelope } from './harness';

/**
 * Races a team runs into that no single desktop can: two people on two desktops doing the
 * opposite thing to each other at the same instant. Each must end as if one went first.
 */
const PASSWORD = 'correct horse battery staple';
const codeOf = (e: Envelope) => (e.ok ? 'ok' : e.error!.code);

describe.skipIf(!SERVER_URL)('team: races between desktops', () => {
  let dbUrl = '';
  const desks: Desk[] = [];

  beforeAll(async () => {
    dbUrl = await freshDatabase('races');
    desks.push(await startDesk('A', dbUrl, ['--demo', '--demo-cases', '5']));
    desks.push(await startDesk('B', dbUrl));
  });

  afterAll(async () => {
    await Promise.all(desks.map((d) => d.stop()));
  });

  const activeSupervisors = async () =>
    (await adminQuery<{ id: string }>(dbUrl, `SELECT id FROM users WHERE role = 'supervisor' AND active = 1 ORDER BY id`)).map((r) => r.id);

  it('two supervisors demoting or deactivating each other at once on two desktops leave one supervisor, never none', async () => {
    // The demo has two supervisors; each round starts from two and must end with exactly one.
    let pair = [await Session.signIn(desks[0]!, 'oleg', 'oleg-demo'), await Session.signIn(desks[1]!, 'amara', 'amara-demo')];
    expect(await activeSupervisors()).toEqual(['amara', 'oleg']);
    for (let round = 1; round <= 4; round++) {
      const [x, y] = pair as [Session, Session];
      const answers =
        round % 2
          ? await Promise.all([
              x.call('users.setRole', { userId: y.userId, role: 'mediator' }),
              y.call('users.setRole', { userId: x.userId, role: 'mediator' }),
            ])
          : await Promise.all([x.call('users.deactivate', { userId: y.userId }), y.call('users.deactivate', { userId: x.userId })]);
      const left = await activeSupervisors();
      expect(left, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
      // One went first; the other was refused: by the rule (INVALID_STATE, when both got past
      // authorization) or, when the first had already committed, because its author is no longer
      // a supervisor (FORBIDDEN) or no longer signed in (UNAUTHENTICATED, after a deactivation).
      expect(
        answers.filter((a) => a.ok),
        JSON.stringify(answers),
      ).toHaveLength(1);
      const refusal = answers.find((a) => !a.ok)!.error!;
      expect(['INVALID_STATE', 'FORBIDDEN', 'UNAUTHENTICATED'], JSON.stringify(refusal)).toContain(refusal.code);
      if (refusal.code === 'INVALID_STATE') expect(refusal.message).toMatch(/only active supervisor/);
      // The one left adds a colleague for the next round, signed in on the other desktop.
      const keeper = pair.find((s) => s.userId === left[0])!;
      const next = `sup${round}`;
      expect(
        codeOf(await keeper.call('users.add', { userId: next, name: `Supervisor ${round}`, role: 'supervisor', password: PASSWORD })),
      ).toBe('ok');
      pair = [keeper, await Session.signIn(desks[keeper.desk === desks[0] ? 1 : 0]!, next, PASSWORD)];
    }
  });
});
