import { describe, expect, it } from 'vitest';
import { handlersOfCase, separationRefusal, type HandlingEvent } from '../../src-main/engine/handled';
import { SeededRandom } from '../../src-main/util/seeded-random';

/**
 * engine/handled.ts: "who handled this case" from its history (DOMAIN.md separation of
 * duties, issue 14 item 6): whoever decided it, was ever its assignee, requested evidence on
 * it or published a proposal on it. Assigning it to someone else, reviewing it, refused
 * attempts and the parties or the clock are not handling.
 */

const ev = (type: string, actor: string, details: Record<string, unknown> = {}): HandlingEvent => ({ type, actor, details });

describe('handlersOfCase', () => {
  it('names the earlier assignee who reassigned the case and the one who requested evidence', () => {
    const history = [
      ev('case.escalated', 'intake'),
      ev('case.claimed', 's1', { assignee: 's1' }),
      ev('evidence.requested', 's1', { party: 'buyer' }),
      ev('case.reassigned', 's1', { assignee: 'm1', previous: 's1' }),
      ev('proposal.published', 'm1'),
      ev('case.decided', 'm1', { decidedBy: 'm1' }),
      ev('appeal.filed', 'buyer'),
    ];
    const handlers = handlersOfCase(history);
    expect(Object.fromEntries(handlers)).toEqual({ s1: 'requested evidence on', m1: 'decided' });
  });

  it('does not count assigning a case to someone else, a refused attempt, an upheld review or non-users', () => {
    const history = [
      ev('case.assigned', 's2', { assignee: 'm2', previous: null }),
      ev('command.refused', 's3', { command: 'decide', code: 'NOT_ASSIGNEE' }),
      ev('case.decided', 'parties', { decidedBy: 'parties' }),
      ev('evidence.missed', 'system', { default: true }),
      ev('case.decided', 'system', { decidedBy: 'system' }),
      ev('appeal.reviewed', 's4', { verdict: 'uphold' }),
      ev('quality.reviewed', 's5', { verdict: 'agree' }),
    ];
    expect([...handlersOfCase(history).keys()]).toEqual(['m2']);
  });

  it('counts the reviewer who overturned (they decided the case as it stands) and the rows’ own decider and assignee', () => {
    const handlers = handlersOfCase([ev('appeal.reviewed', 's4', { verdict: 'overturn' })], { decidedBy: 'm9', assignee: 'm8' });
    expect(Object.fromEntries(handlers)).toEqual({ s4: 'decided', m9: 'decided', m8: 'were an assignee of' });
  });

  it('holds for varied histories: every assignee ever, evidence requester, proposer and decider is named, nobody else', () => {
    const random = new SeededRandom(14);
    const rnd = () => random.next();
    const users = ['m1', 'm2', 'm3', 's1', 's2', 's3'];
    for (let round = 0; round < 300; round++) {
      const history: HandlingEvent[] = [];
      const expected = new Set<string>();
      const pick = () => users[Math.floor(rnd() * users.length)]!;
      for (let i = 0, n = Math.floor(rnd() * 12); i < n; i++) {
        const who = pick();
        const target = pick();
        switch (Math.floor(rnd() * 7)) {
          case 0:
            history.push(ev('case.claimed', who, { assignee: who }));
            expected.add(who);
            break;
          case 1:
            history.push(ev(rnd() < 0.5 ? 'case.assigned' : 'case.reassigned', who, { assignee: target }));
            expected.add(target);
            break;
          case 2:
            history.push(ev('evidence.requested', who));
            expected.add(who);
            break;
          case 3:
            history.push(ev('proposal.published', who));
            expected.add(who);
            break;
          case 4:
            history.push(ev('case.decided', who, { decidedBy: who }));
            expected.add(who);
            break;
          case 5:
            history.push(ev('command.refused', who, { code: 'FORBIDDEN' }));
            break;
          default:
            history.push(ev('quality.reviewed', who));
        }
      }
      expect(new Set(handlersOfCase(history).keys())).toEqual(expected);
    }
  });
});

describe('separationRefusal', () => {
  const handlers = handlersOfCase([
    ev('case.claimed', 's1', { assignee: 's1' }),
    ev('case.reassigned', 's1', { assignee: 'm1' }),
    ev('case.decided', 'm1', { decidedBy: 'm1' }),
  ]);

  it('tells the handler why not and who may review instead', () => {
    const message = separationRefusal(handlers, 's1', 'C-7', 'its appeal')!;
    expect(message).toMatch(
      /^You handled case C-7 as its assignee; its appeal must be reviewed by a supervisor who has not decided or handled it/,
    );
    expect(message).toContain('anyone but m1, s1');
    expect(separationRefusal(handlers, 'm1', 'C-7', 'the quality of its decision')).toMatch(/^You decided case C-7; the quality/);
  });

  it('lets anyone else review', () => {
    expect(separationRefusal(handlers, 's2', 'C-7', 'its appeal')).toBeNull();
  });
});
