import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceRequestNotice, resolutionsNotice } from '../../src-main/contract/i18n';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import {
  FEED_DIALECTS,
  M1,
  deskCall,
  dispute,
  feedEvents,
  feedPost,
  newKey,
  openDesk,
  type Desk,
  type FeedEventJson,
} from './feed-harness';

/**
 * FEED.md "Events out", issue 18: what the marketplace shows the parties comes in each party's
 * language. evidence.requested carries `notice` (to the party asked) and resolutions.published
 * `notices` (buyer and seller), rendered by the same catalogue as the decision letters; the
 * mediator's request is quoted as written and marked as not translated.
 */
describe.each(FEED_DIALECTS)('notices in the party’s language in the outbox on $name', ({ url }) => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk(await url(''));
  });
  afterAll(async () => desk?.close());

  const eventsOf = async (caseId: string, type: string): Promise<FeedEventJson[]> =>
    (await feedEvents(desk)).events.filter((e) => e.caseId === caseId && e.type === type);

  it('evidence.requested: the buyer reads Russian (from the country), the mediator’s request quoted as written', async () => {
    const id = `NOTE-${Math.random().toString(36).slice(2, 8)}`;
    const input = dispute(id, { seller: { id: 'S-ES', name: 'Tienda', country: 'CN', language: 'es' } });
    expect((await feedPost(desk, 'intake.dispute', input, newKey())).status).toBe(200);
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    const request = 'A photo of the phone on its charger, please.';
    await deskCall(desk, 'case.requestEvidence', { caseId: id, party: 'buyer', request }, M1);
    const [buyerAsked] = await eventsOf(id, 'evidence.requested');
    expect(buyerAsked!.data).toMatchObject({ party: 'buyer', request });
    const notice = buyerAsked!.data.notice as { language: string; subject: string; body: string };
    expect(notice.language).toBe('ru');
    expect(notice.subject).toMatch(/^Спор .*доказательства/);
    expect(notice.body).toContain('Ivan');
    expect(notice.body).toContain(request); // the mediator's words as written …
    // … and exactly what the renderer previews: the shared catalogue, not a second copy.
    const letterCase = {
      id,
      reason: input.reason,
      order: { id: input.order.id, currency: input.order.currency, totalMinor: input.order.totalMinor, item: input.order.item },
      buyer: input.buyer,
      seller: input.seller,
    };
    const expected = evidenceRequestNotice(letterCase, 'buyer', {
      request: { text: request },
      dueAt: String(buyerAsked!.data.dueAt),
      maxImageBytes: DEFAULT_POLICY.maxImageBytes,
      maxVideoBytes: DEFAULT_POLICY.maxVideoBytes,
    });
    expect(notice).toEqual({ language: expected.language, subject: expected.subject, body: expected.body });
  });

  it('resolutions.published: one notice per party, each in its own language, naming the options and the reply deadline', async () => {
    const id = `RES-${Math.random().toString(36).slice(2, 8)}`;
    const input = dispute(id, {
      buyer: { id: 'B-FR', name: 'Chloé', country: 'BE', language: 'fr' },
      seller: { id: 'S-DE', name: 'Laden', country: 'DE' },
    });
    expect((await feedPost(desk, 'intake.dispute', input, newKey())).status).toBe(200);
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.propose', { caseId: id }, M1);
    const [published] = await eventsOf(id, 'resolutions.published');
    const notices = published!.data.notices as Record<'buyer' | 'seller', { language: string; subject: string; body: string }>;
    expect([notices.buyer.language, notices.seller.language]).toEqual(['fr', 'de']);
    expect(notices.buyer.body).toContain('Chloé');
    expect(notices.seller.body).toContain('Laden');
    expect(notices.buyer.subject).not.toBe(notices.seller.subject);
    const letterCase = {
      id,
      reason: input.reason,
      order: { id: input.order.id, currency: input.order.currency, totalMinor: input.order.totalMinor, item: input.order.item },
      buyer: input.buyer,
      seller: input.seller,
    };
    const facts = {
      options: published!.data.options as Array<{ kind: 'partial' | 'return' | 'full'; amountMinor: number }>,
      recommended: published!.data.recommended as 'partial' | 'return' | 'full' | null,
      replyDueAt: String(published!.data.replyDueAt),
    };
    for (const party of ['buyer', 'seller'] as const) {
      const l = resolutionsNotice(letterCase, party, facts);
      expect(notices[party]).toEqual({ language: l.language, subject: l.subject, body: l.body });
    }
  });
});
