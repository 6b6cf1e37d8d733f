import { createHash } from 'node:crypto';
import { SeededRandom } from '../../util/seeded-random';
import type { CursorStore, SimulatorCursor } from './cursor-state';
import { simulatedDispute } from './disputes';
import { partyPhoto } from './pictures';

/**
 * A marketplace played against the feed API over HTTP (FEED.md), as an integrator's client
 * would: it escalates disputes, reads the event cursor and lets its buyers and sellers act on
 * what the desk asks — photos for evidence requests (uploaded as multipart to the streamed
 * endpoint), replies to published resolutions, appeals of some decisions, return shipments
 * and their receipt, and the refund's stages through `refund.update`.
 *
 * Every choice is drawn from a generator seeded by (seed, event seq), so a run is repeatable
 * and reading the cursor again from 0 sends the same calls with the same Idempotency-Keys
 * (the desk answers them again without a second effect). Delays are in marketplace time,
 * played `speed` times faster in real time.
 */

export type Temper = 'mixed' | 'cooperative';

export interface SimulatorOptions {
  url: string;
  token: string;
  /** Marketplace seconds per real second (60: a party's hour passes in a real minute). */
  speed: number;
  seed: number;
  /** mixed: late answers, silence, rejections, appeals, failed refunds; cooperative: every party answers in time and agrees. */
  temper: Temper;
  /** New disputes to escalate in this run, one every `everyMinutes` of marketplace time (the first at once). */
  disputes: number;
  everyMinutes: number;
  /** How often the event cursor is read (real ms). */
  pollMs?: number;
  /** Read the cursor from 0 (act on everything this feed was ever sent) instead of from the head. */
  fromStart?: boolean;
  /** Where the cursor is kept between runs (`--state`): a run resumes after the last event it handled. */
  state?: CursorStore;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

interface FeedEvent {
  seq: number;
  at: string;
  type: string;
  caseId: string;
  data: Record<string, unknown>;
}

/** What the desk answers (FEED.md: the envelope, or the event page). */
interface DeskAnswer {
  ok?: boolean;
  error?: { code?: string; message?: string };
  events?: FeedEvent[];
  next?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Planned actions waiting at once; beyond it new ones are dropped (and said), so a long backlog cannot grow without bound. */
const MAX_PENDING = 2_000;

export class SimulatorStopped extends Error {}
/** The desk refused the token: no retry helps. */
export class TokenRefused extends Error {}

export async function runMarketplaceSimulator(opts: SimulatorOptions): Promise<void> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const base = opts.url.replace(/\/+$/, '');
  const pending = new Set<NodeJS.Timeout>();
  /** Waits in progress: a stop ends them at once (their timers are cleared, so they would never end otherwise). */
  const sleepers = new Set<() => void>();
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const t of pending) clearTimeout(t);
    pending.clear();
    for (const wake of sleepers) wake();
    sleepers.clear();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const t = setTimeout(() => (pending.delete(t), sleepers.delete(done), done()), ms);
      pending.add(t);
      sleepers.add(done);
    });

  /** One HTTP exchange with the desk: retried on 429 (after Retry-After), on 5xx and on a lost connection, with the same key. */
  async function send(
    path: string,
    init: { method: string; key?: string; body?: Buffer | string; type?: string },
  ): Promise<{ status: number; body: DeskAnswer | null }> {
    for (let attempt = 0; ; attempt++) {
      if (stopped) throw new SimulatorStopped();
      try {
        const res = await fetch(`${base}${path}`, {
          method: init.method,
          headers: {
            Authorization: `Bearer ${opts.token}`,
            ...(init.key ? { 'Idempotency-Key': init.key } : {}),
            ...(init.type ? { 'Content-Type': init.type } : {}),
          },
          body: init.body,
        });
        const body = (await res.json().catch(() => null)) as DeskAnswer | null;
        if (res.status === 429 && attempt < 20) {
          await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? 1)) * 1_000);
          continue;
        }
        if (res.status >= 500 && attempt < 5) {
          await sleep(500 * 2 ** attempt);
          continue;
        }
        if (res.status === 401)
          throw new TokenRefused('The desk refused the feed token (unknown or revoked): create a feed and pass its token with --feed.');
        return { status: res.status, body };
      } catch (e) {
        if (stopped || e instanceof SimulatorStopped) throw new SimulatorStopped();
        if (e instanceof TokenRefused) throw e;
        if (attempt >= 5) throw new Error(`The desk at ${base} cannot be reached: ${(e as Error).message}`, { cause: e });
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  const describe = (r: { status: number; body: DeskAnswer | null }) =>
    r.body?.ok ? 'accepted' : `refused ${r.status} ${r.body?.error?.code ?? ''}: ${r.body?.error?.message ?? ''}`;

  async function call(method: string, input: Record<string, unknown>, key: string, what: string): Promise<void> {
    const r = await send(`/feed/v1/call/${method}`, { method: 'POST', key, body: JSON.stringify(input), type: 'application/json' });
    log(`${typeof input.caseId === 'string' ? input.caseId : typeof input.id === 'string' ? input.id : method}: ${what} — ${describe(r)}`);
  }

  async function upload(caseId: string, party: 'buyer' | 'seller', rng: SeededRandom, key: string, note: string): Promise<void> {
    const count = party === 'buyer' && rng.chance(0.35) ? 2 : 1;
    const boundary = `sim-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const photo = await partyPhoto(rng, party, `${caseId} · ${party} photo ${i + 1}`);
      const name = party === 'buyer' ? `item-${i + 1}.jpg` : `dispatch-receipt-${i + 1}.jpg`;
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`),
        photo,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${note}\r\n--${boundary}--\r\n`));
    const r = await send(`/feed/v1/evidence/${encodeURIComponent(caseId)}/${party}`, {
      method: 'POST',
      key,
      body: Buffer.concat(parts),
      type: `multipart/form-data; boundary=${boundary}`,
    });
    log(`${caseId}: the ${party} uploads ${count} photo${count > 1 ? 's' : ''} — ${describe(r)}`);
  }

  /** Runs `act` after `delayMs` of marketplace time; errors are said, never thrown (one party's trouble stops nobody else). */
  function later(delayMs: number, act: () => Promise<void>): void {
    if (stopped) return;
    if (pending.size >= MAX_PENDING) return log('too many planned actions; this one is skipped');
    const t = setTimeout(
      () => {
        pending.delete(t);
        act().catch((e: unknown) => {
          if (!(e instanceof SimulatorStopped)) log(`an action failed: ${(e as Error).message}`);
        });
      },
      Math.max(0, delayMs / opts.speed),
    );
    pending.add(t);
  }

  const coop = opts.temper === 'cooperative';
  /** How long until `iso` in marketplace time, from the event's own time (the desk's clock may run ahead of ours in tests). */
  const untilDue = (e: FeedEvent, iso: unknown) =>
    typeof iso === 'string' ? Math.max(0, Date.parse(iso) - Date.parse(e.at)) : 2 * 24 * HOUR;

  function plan(e: FeedEvent): void {
    const rng = new SeededRandom(Number.parseInt(createHash('sha256').update(`${opts.seed}:${e.seq}`).digest('hex').slice(0, 8), 16));
    const key = (what: string) => `sim-${opts.seed}-${e.seq}-${what}`;
    const d = e.data;
    switch (e.type) {
      case 'evidence.requested': {
        const party = d.party === 'seller' ? 'seller' : 'buyer';
        const window = untilDue(e, d.dueAt);
        const roll = rng.next();
        if (!coop && roll < 0.15) return log(`${e.caseId}: the ${party} stays silent about the evidence request`);
        const late = !coop && roll < 0.27;
        const delay = coop ? rng.range(1, 10) * MINUTE : late ? window + rng.range(1, 6) * HOUR : rng.range(0.05, 0.6) * window;
        const note = party === 'buyer' ? 'Photos of the item as it arrived.' : 'Our dispatch receipt and packing photo.';
        return later(delay, () => upload(e.caseId, party, rng, key('evidence'), note));
      }
      case 'resolutions.published': {
        const offered = (Array.isArray(d.options) ? (d.options as Array<{ kind?: unknown }>) : []).map((o) => String(o.kind));
        const recommended = typeof d.recommended === 'string' ? d.recommended : (offered[0] ?? 'reject');
        const window = untilDue(e, d.replyDueAt);
        for (const party of ['buyer', 'seller'] as const) {
          if (!coop && rng.chance(0.15)) {
            log(`${e.caseId}: the ${party} does not reply to the resolutions`);
            continue;
          }
          const others = offered.filter((k: string) => k !== recommended);
          const choice = coop
            ? recommended
            : rng.chance(party === 'seller' ? 0.25 : 0.12)
              ? 'reject'
              : others.length && rng.chance(0.25)
                ? rng.pick(others)
                : recommended;
          const delay = coop ? rng.range(1, 10) * MINUTE : rng.range(0.05, rng.chance(0.1) ? 1.2 : 0.8) * window;
          later(delay, () =>
            call('party.reply', { caseId: e.caseId, party, choice }, key(`reply-${party}`), `the ${party} replies ${choice}`),
          );
        }
        return;
      }
      case 'decision.made': {
        if (coop || typeof d.appealUntil !== 'string') return;
        const outcome = String(d.outcome);
        const appellant = outcome === 'none' ? 'buyer' : outcome === 'full' ? 'seller' : rng.pick(['buyer', 'seller'] as const);
        if (!rng.chance(outcome === 'none' ? 0.3 : 0.12)) return;
        const grounds = rng.pick(['outcome', 'mediator_conduct', 'new_evidence'] as const);
        const text = {
          outcome: 'The decision does not reflect what happened; please look again.',
          mediator_conduct: 'My evidence was not considered before the decision.',
          new_evidence: 'I found the original packaging and can show the damage was there on arrival.',
        }[grounds];
        return later(rng.range(0.1, 0.9) * untilDue(e, d.appealUntil), () =>
          call(
            'party.appeal',
            { caseId: e.caseId, party: appellant, grounds, text },
            key('appeal'),
            `the ${appellant} appeals (${grounds})`,
          ),
        );
      }
      case 'return.instructed': {
        if (!coop && rng.chance(0.12)) return log(`${e.caseId}: the buyer never ships the return`);
        const shipIn = coop ? rng.range(1, 10) * MINUTE : rng.range(0.05, 0.7) * untilDue(e, d.returnDueAt);
        later(shipIn, async () => {
          await call(
            'party.shipReturn',
            { caseId: e.caseId, trackingNumber: `RT${opts.seed}${e.seq}` },
            key('ship'),
            'the buyer ships the return',
          );
          if (!coop && rng.chance(0.08)) return log(`${e.caseId}: the seller does not confirm the return`);
          later(coop ? rng.range(1, 10) * MINUTE : rng.range(1, 4) * 24 * HOUR, () =>
            call('party.confirmReturn', { caseId: e.caseId }, key('confirm'), 'the seller confirms the return arrived'),
          );
        });
        return;
      }
      case 'refund.instructed': {
        const reference = `PAY-${opts.seed}-${e.seq}`;
        later(coop ? rng.range(1, 5) * MINUTE : rng.range(5, 60) * MINUTE, async () => {
          await call(
            'refund.update',
            { caseId: e.caseId, status: 'processing', reference },
            key('refund-processing'),
            'the refund is processing',
          );
          const fails = !coop && rng.chance(0.08);
          later(coop ? rng.range(1, 5) * MINUTE : rng.range(1, 24) * HOUR, () =>
            fails
              ? call(
                  'refund.update',
                  { caseId: e.caseId, status: 'failed', reference, reason: "The buyer's card issuer refused the credit." },
                  key('refund-failed'),
                  'the refund failed',
                )
              : call(
                  'refund.update',
                  { caseId: e.caseId, status: 'completed', reference },
                  key('refund-completed'),
                  'the refund is completed',
                ),
          );
        });
        return;
      }
      default:
        log(`${e.caseId}: ${e.type}`);
    }
  }

  // A saved cursor (unless told to read from 0) says where the last run stopped.
  const saved = opts.fromStart ? null : (opts.state?.load() ?? null);
  const cursor: SimulatorCursor = { after: saved?.after ?? 0, escalated: saved?.escalated ?? 0 };
  const remember = () => opts.state?.save(cursor);

  // New disputes, spread over marketplace time, numbered after those of earlier runs.
  const disputes = new SeededRandom(opts.seed ^ 0x5eed);
  for (let i = 1; i <= opts.disputes; i++) {
    const n = cursor.escalated + i;
    const input = simulatedDispute(disputes, opts.seed, n, Date.now());
    later((i - 1) * opts.everyMinutes * MINUTE, async () => {
      await call('intake.dispute', input, `sim-${opts.seed}-dispute-${n}`, 'escalated');
      cursor.escalated = Math.max(cursor.escalated, n);
      remember();
    });
  }

  // The event cursor: read after the last seq handled, act, move on. A first run starts at the
  // head (what happened before it was some earlier run's business) unless told to read from 0;
  // a run with a saved cursor goes on from it.
  let after = cursor.after;
  const pollMs = opts.pollMs ?? 1_000;
  try {
    while (!opts.fromStart && !saved && !stopped) {
      const r = await send(`/feed/v1/events?after=${after}&limit=1000`, { method: 'GET' });
      if (r.status !== 200) throw new Error(`The desk refused to list events: ${describe(r)}`);
      after = Number(r.body?.next ?? after);
      if ((r.body?.events?.length ?? 0) < 1000) break;
    }
    cursor.after = after;
    remember();
    while (!stopped) {
      const r = await send(`/feed/v1/events?after=${after}&limit=100`, { method: 'GET' });
      if (r.status !== 200) throw new Error(`The desk refused to list events: ${describe(r)}`);
      const events = r.body?.events ?? [];
      for (const e of events) plan(e);
      after = Number(r.body?.next ?? after);
      if (after !== cursor.after) {
        cursor.after = after;
        remember();
      }
      if (events.length < 100) await sleep(pollMs);
    }
  } catch (e) {
    if (!(e instanceof SimulatorStopped)) throw e;
  } finally {
    stop();
  }
}
