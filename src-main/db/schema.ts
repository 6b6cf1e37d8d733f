import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AccountTables } from './schema-accounts';
import type { QualityTables } from './schema-quality';

/** Row types of migrations/; instants are epoch ms, booleans 0/1, JSON columns text. */
export interface UsersTable {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  failed_attempts: Generated<number>;
  locked_until: number | null;
  created_at: number;
  /** migrations/0009: 0 once deactivated (never deleted); failure_window_start is the account-wide counter's window. */
  active: Generated<number>;
  deactivated_at: number | null;
  deactivated_by: string | null;
  password_set_at: number | null;
  failure_window_start: number | null;
}
export interface PoliciesTable {
  version: number;
  body: string;
  note: string;
  created_by: string;
  created_at: number;
}
export interface AccountsTable {
  id: string;
  role: string;
  name: string;
  country: string;
  /** A BCP-47 tag from the dispute (0016); null when the feed did not say. */
  language: Generated<string | null>;
  created_at: number | null;
  label: string | null;
  label_note: string | null;
  labelled_by: string | null;
  labelled_at: number | null;
  /** The latest order history the feed reported for a buyer (`buyer.orderHistory`, migration 0035); null when never. */
  orders_placed: Generated<number | null>;
  orders_delivered: Generated<number | null>;
  orders_since: Generated<number | null>;
}
export interface AccountLinksTable {
  account_id: string;
  kind: string;
  value: string;
}
export interface AccountLabelsTable {
  id: Generated<number>;
  account_id: string;
  label: string;
  note: string;
  labelled_by: string;
  labelled_at: number;
}
export interface OrdersTable {
  id: string;
  buyer_id: string;
  seller_id: string;
  placed_at: number;
  shipped_at: number | null;
  currency: string;
  item_title: string;
  quantity: number;
  item_price_minor: number;
  shipping_minor: number;
  total_minor: number;
  tracking_number: string | null;
  carrier: string | null;
  delivery_status: string;
  delivered_at: number | null;
}
export interface CasesTable {
  id: string;
  order_id: string;
  buyer_id: string;
  seller_id: string;
  reason: string;
  claim_remedy: string;
  claim_amount_minor: number;
  currency: string;
  total_minor: number;
  description: string;
  opened_at: number;
  escalated_at: number;
  status: string;
  assignee_id: string | null;
  forced_decision: Generated<number>;
  evidence_round: Generated<number>;
  policy_version: number | null;
  content_hash: string;
  next_due_at: number | null;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
  /** The buyer's stored score (buyer_risk.score), -1 while not scored: kept by db/repos/risk/case-scores.ts (migrations/0034). */
  buyer_score: Generated<number>;
  /**
   * 1 while open (not closed, appealed or final), else 0: written by the database only (a generated column on
   * PostgreSQL, triggers on SQLite; migrations/0037), read by the open-only indexes' predicate `is_open = 1`.
   */
  is_open: Generated<number>;
}
export interface NegotiationTable {
  case_id: string;
  seq: number;
  at: number;
  by: string;
  remedy: string;
  amount_minor: number;
  comment: string;
}
export interface MessagesTable {
  case_id: string;
  seq: number;
  at: number;
  by: string;
  text: string;
  /** The language the message is in (ISO 639-1), '' when none could be told, null when not looked at yet (migration 0024). */
  language: Generated<string | null>;
  /** 0 when another language scored almost as well; null with language. */
  language_sure: Generated<number | null>;
}
export interface MessageTranslationsTable {
  case_id: string;
  message_seq: number;
  text: string;
  translated_by: string;
  translated_at: number;
}
export interface EvidenceRequestsTable {
  id: string;
  case_id: string;
  party: string;
  request: string;
  requested_by: string;
  requested_at: number;
  due_at: number;
  status: string;
  resolved_at: number | null;
  round: number;
}
export interface EvidenceTable {
  case_id: string;
  seq: number;
  party: string;
  name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  submitted_at: number;
  request_id: string | null;
  note: string | null;
}
export interface ProposalsTable {
  case_id: string;
  options: string;
  recommended: string;
  recommendation_reason: string;
  proposed_by: string;
  proposed_at: number;
  reply_due_at: number;
  buyer_reply: string | null;
  buyer_replied_at: number | null;
  seller_reply: string | null;
  seller_replied_at: number | null;
  override_note: string | null;
  policy_version: number;
  ended_at: number | null;
}
export interface DecisionsTable {
  case_id: string;
  seq: number;
  outcome: string;
  amount_minor: number;
  basis: string;
  decided_by: string;
  decided_at: number;
  appeal_until: number | null;
  reasons: string;
  policy_version: number;
}
export interface AppealsTable {
  case_id: string;
  party: string;
  grounds: string;
  text: string;
  filed_at: number;
  status: string;
  reviewed_by: string | null;
  reviewed_at: number | null;
  review_reasons: string | null;
}
export interface RefundsTable {
  case_id: string;
  status: string;
  amount_minor: number;
  currency: string;
  return_due_at: number | null;
  return_tracking_number: string | null;
  updated_at: number;
  /** refund.update (migration 0008): the marketplace's payment reference, and why it failed. */
  reference: Generated<string | null>;
  failure_reason: Generated<string | null>;
}
export interface DeadlinesTable {
  id: Generated<number>;
  case_id: string;
  key: string;
  kind: string;
  due_at: number;
  created_at: number;
  fired_at: number | null;
  cancelled_at: number | null;
}
export interface CaseEventsTable {
  id: Generated<number>;
  case_id: string;
  at: number;
  actor: string;
  type: string;
  details: string;
  /** migrations/0010_audit_chain: position in its case's chain (1, 2, …); NULL only for rows written around the app. */
  seq: number | null;
  /** Canonical JSON of the decisions / refund this event created, or NULL. */
  bound: string | null;
  prev_hash: string | null;
  hash: string | null;
}
/** migrations/0010_audit_chain: the highest case_events.id the start-up check has verified (one row, id 1). */
export interface AuditVerifiedTable {
  id: number;
  through_event_id: number;
  at: number;
}
/** migrations/0010_audit_chain: refusals of callers without a session, counted per (kind, source, minute). */
export interface SecurityLogTable {
  kind: string;
  source: string;
  /** Epoch ms of the minute's start. */
  minute: number;
  count: number;
}
export interface SavedViewsTable {
  id: string;
  user_id: string;
  name: string;
  /** JSON of a SavedFilter. */
  filter: string;
  created_at: number;
  updated_at: number;
}
/** migrations/0003_buyer_risk: the fraud-pattern score's rows (src-main/engine/risk). */
export interface BuyerRiskTable {
  buyer_id: string;
  score: number;
  base_score: number;
  risky: number;
  /** JSON [{code, text, weight}] */
  reasons: string;
  top_code: string | null;
  scored_at: number;
  label: string | null;
  /** JSON ["device:dv-9", …] */
  links: string;
  ref_at: number;
  /** JSON {counter: decayed sum, "f.orders": …, "f.disputes": …}, zeros left out */
  decayed: string;
  n_orders: number;
  n_delivered: number;
  n_disputes: number;
  n_excused: number;
  n_nrd: number;
  n_decided: number;
  n_lost: number;
  n_threat: number;
  n_off_platform: number;
  n_photo_own: number;
  n_photo_shared: number;
  /**
   * migrations/0020_seller_risk: JSON {"sellerId": [orders, counted disputes]}; from model v6
   * (0033) [orders, counted disputes, delivered orders, disputes opened on them].
   */
  sellers: string;
  other_seller_orders: number;
  seller_rate: number | null;
  /** migrations/0033_buyer_risk_context: disputes opened on delivered parcels, whatever the outcome. */
  n_opened_delivered: number;
  /** migrations/0033_buyer_risk_context: that rate from the buyer's sellers' other buyers, as of the last scoring. */
  opened_ref: number | null;
  /** The buyer's reported order history (`buyer.orderHistory`): orders placed and delivered; null when never reported (migration 0035). */
  hist_orders: number | null;
  hist_delivered: number | null;
  /** When the buyer's account was opened, as the update last saw it (accounts.created_at; migration 0040, model v12). */
  created_at: number | null;
}
/** migrations/0020_seller_risk: a seller's orders and the disputes counted against its buyers. */
export interface SellerRiskTable {
  seller_id: string;
  n_orders: number;
  n_disputes: number;
  /** migrations/0033_buyer_risk_context: delivered orders, and disputes opened on them (any outcome). */
  n_delivered: number;
  n_opened: number;
}
export interface RiskDisputesTable {
  case_id: string;
  order_id: string;
  buyer_id: string;
  opened_at: number;
  not_received: number;
  outcome: string | null;
  threat: number;
  off_platform: number;
  /** JSON [photo key, …] */
  photos: string;
}
export interface RiskPhotosTable {
  photo_key: string;
  uses: number;
  accounts: number;
  /** One account's uses, inline (null: none inline). */
  first_account: string | null;
  first_uses: number;
  first_weight: number;
  first_ref_at: number;
  /** JSON {seller id: uses} ('' unknown), at most RISK_MODEL.photoSellerCap sellers (migration 0035). */
  sellers: string;
  seller_overflow: number;
  /** 0/1: two linked accounts use it (while it is one seller's). */
  linked: number;
}
export interface RiskPhotoUsesTable {
  photo_key: string;
  account_id: string;
  uses: number;
  weight: number;
  ref_at: number;
}
export interface RiskLinkGroupsTable {
  group_key: string;
  members: number;
  member_ids: string | null;
}
export interface RiskModelTable {
  id: string;
  model_version: number;
  /** JSON Priors */
  priors: string;
  fitted_at: number;
  fitted_buyers: number;
  buyers: number;
}

/** migrations/0005_evidence_files: stored files (src-main/files/store.ts) and near-duplicate matches. */
export interface EvidenceFilesTable {
  /** Monotonic: each desktop's reuse index catches up with `seq > last`. */
  seq: Generated<number>;
  sha256: string;
  media_type: string;
  kind: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  frames: number | null;
  captured_at: number | null;
  captured_at_has_offset: number;
  device: string | null;
  /** 16 hex digits. */
  phash: string | null;
  /** The phash's unsigned 32-bit halves, for the reuse index. */
  phash_hi: number | null;
  phash_lo: number | null;
  /** sha256 of the first image of its near-duplicate cluster (the buyer score's photo key). */
  cluster_key: string | null;
  /** 'display,thumb' or ''. */
  variants: string;
  stored_at: number;
  /** migrations/0013: the photo matcher's candidate signature (files/match/signature.ts); null for videos and older rows. */
  match_sig: string | null;
}
/** migrations/0013_photo_prints: what a candidate match is verified with (files/match/print-codec.ts). */
export interface EvidencePrintsTable {
  sha256: string;
  print: string;
}
/** migrations/0006_change_log: one row per committed transaction that changed cases (PostgreSQL only; db/repos/changes.ts). */
export interface ChangeLogTable {
  /** Every desktop catches up with `seq > last seen` after its listening connection was away. */
  seq: Generated<number>;
  /** A JSON array of case ids, or null: too many to list, refresh everything. */
  case_ids: string | null;
  reason: string;
  /** The process that wrote it (changeOrigin): it skips its own rows. */
  origin: string;
  /** Epoch ms, the writer's clock; pruning goes by it. */
  at: number;
}

/** migrations/0011_presence_counts: who has a case open and what they are writing (db/repos/presence.ts). */
export interface PresenceTable {
  user_id: string;
  case_id: string;
  /** viewing | deciding | requesting | proposing */
  activity: string;
  /** When this activity began (epoch ms, the server's clock). */
  since: number;
  /** The last heartbeat; older than the time-to-live means gone. */
  seen_at: number;
}
/** migrations/0011_presence_counts: cases per (status, assignee, shard), kept by triggers on cases (db/repos/queue.ts). */
export interface QueueCountsTable {
  status: string;
  /** '' for unassigned. */
  assignee_id: string;
  shard: number;
  n: number;
}

/** What a report counts of a case after its first decision (per case in report_cases, summed in report_facts). */
interface ReportOutcomeCounts {
  appealed: number;
  overturned: number;
  ev_requests: number;
  ev_expired: number;
  reply_periods: number;
  reply_missed: number;
}

/**
 * migrations/0028_report_facts: one row per case with a first decision, the figures the
 * supervisors' reports count for it, kept by triggers (db/repos/reports.ts).
 */
export interface ReportCasesTable extends ReportOutcomeCounts {
  case_id: string;
  /** UTC epoch day of the first decision. */
  day: number;
  decided_at: number;
  decided_by: string;
  reason: string;
  /** The buyer's country. */
  country: string;
  basis: string;
  /** Time-to-decision histogram bucket (HOUR_BUCKETS). */
  bucket: number;
  /** '' when no refund is due or paid. */
  refund_currency: string;
  refund_amount: number;
}

/** migrations/0028_report_facts: report_cases summed per (day, decided_by, reason, country, refund currency). */
export interface ReportFactsTable extends ReportOutcomeCounts {
  day: number;
  decided_by: string;
  reason: string;
  country: string;
  currency: string;
  decided: number;
  by_default: number;
  by_agreement: number;
  by_mediator: number;
  refunds: number;
  refund_amount: number;
  /** h0..h17: the time-to-decision histogram. */
  [bucket: `h${number}`]: number;
}

/** migrations/0007_evidence_blobs: the chunks of one upload (the PostgreSQL blob store, db/repos/blobs.ts). */
export interface EvidenceBlobChunksTable {
  blob_id: string;
  n: number;
  bytes: Uint8Array;
  written_at: number;
}
/** A finished, content-addressed blob: (sha256, variant) → the upload holding its bytes. */
export interface EvidenceBlobsTable {
  sha256: string;
  /** original | display | thumb */
  variant: string;
  blob_id: string;
  size_bytes: number;
  chunk_bytes: number;
  chunk_count: number;
  stored_at: number;
}
export interface EvidenceMatchesTable {
  /** The newer file … */
  sha256: string;
  /** … looks like this earlier one. */
  other_sha256: string;
  distance: number;
  transform: string;
  found_at: number;
}

/** migrations/0004_supervision: the command log a policy preview replays. */
export interface CaseCommandsTable {
  id: Generated<number>;
  case_id: string;
  at: number;
  /** A user id, or 'intake'. */
  actor_id: string;
  /** mediator | supervisor | analyst | intake */
  actor_role: string;
  /** The contract method, e.g. 'case.decide'. */
  method: string;
  /** JSON of the contract input (evidence as its file description, never bytes). */
  input: string;
}
/** migrations/0004_supervision: decisions sampled for a quality review, and the review. */
export interface QualityReviewsTable {
  case_id: string;
  decision_seq: number;
  decided_by: string;
  sampled_at: number;
  reviewer_id: string | null;
  verdict: string | null;
  note: string | null;
  reviewed_at: number | null;
  /** migrations/0015: 1 for a calibration sample, which two supervisors score independently. */
  calibration: Generated<number>;
}
/** migrations/0004_supervision: per-installation values. */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database extends AccountTables, QualityTables {
  users: UsersTable;
  policies: PoliciesTable;
  accounts: AccountsTable;
  account_links: AccountLinksTable;
  account_labels: AccountLabelsTable;
  orders: OrdersTable;
  cases: CasesTable;
  negotiation: NegotiationTable;
  messages: MessagesTable;
  message_translations: MessageTranslationsTable;
  evidence_requests: EvidenceRequestsTable;
  evidence: EvidenceTable;
  proposals: ProposalsTable;
  decisions: DecisionsTable;
  appeals: AppealsTable;
  refunds: RefundsTable;
  deadlines: DeadlinesTable;
  case_events: CaseEventsTable;
  audit_verified: AuditVerifiedTable;
  security_log: SecurityLogTable;
  saved_views: SavedViewsTable;
  buyer_risk: BuyerRiskTable;
  seller_risk: SellerRiskTable;
  risk_disputes: RiskDisputesTable;
  risk_photos: RiskPhotosTable;
  risk_photo_uses: RiskPhotoUsesTable;
  risk_link_groups: RiskLinkGroupsTable;
  risk_model: RiskModelTable;
  evidence_files: EvidenceFilesTable;
  evidence_matches: EvidenceMatchesTable;
  evidence_prints: EvidencePrintsTable;
  evidence_blob_chunks: EvidenceBlobChunksTable;
  evidence_blobs: EvidenceBlobsTable;
  case_commands: CaseCommandsTable;
  quality_reviews: QualityReviewsTable;
  settings: SettingsTable;
  change_log: ChangeLogTable;
  presence: PresenceTable;
  queue_counts: QueueCountsTable;
  report_cases: ReportCasesTable;
  report_facts: ReportFactsTable;
  feeds: FeedsTable;
  feed_cases: FeedCasesTable;
  feed_outbox: FeedOutboxTable;
  feed_idempotency: FeedIdempotencyTable;
  case_notes: CaseNotesTable;
}

/** migrations/0018_casework: internal notes on a case (db/repos/casework.ts); never in letters or the feed. */
export interface CaseNotesTable {
  id: string;
  case_id: string;
  author_id: string;
  /** note | consistency */
  kind: string;
  body: string;
  /** The supervisor asked for a second opinion. */
  mention_id: string | null;
  /** The second-opinion request (a note id) this note answers. */
  answers_id: string | null;
  answered_at: number | null;
  answered_by_note: string | null;
  created_at: number;
}

/** The marketplace connection (migrations/0008_feeds_outbox). */
export interface FeedsTable {
  id: string;
  name: string;
  token_hash: string;
  webhook_url: string | null;
  webhook_secret: string | null;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  delivered_seq: Generated<number>;
  delivery_attempts: Generated<number>;
  delivery_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  last_delivered_at: number | null;
  delivered_batches: Generated<number>;
  failed_attempts_total: Generated<number>;
  lease_owner: Generated<string | null>;
  lease_until: Generated<number | null>;
  /** migrations/0014_feed_cursor */
  cursor_seq: Generated<number>;
  cursor_read_at: Generated<number | null>;
}
export interface FeedCasesTable {
  case_id: string;
  feed_id: string;
}
export interface FeedOutboxTable {
  seq: Generated<number>;
  feed_id: string;
  case_id: string;
  type: string;
  at: number;
  data: string;
}
export interface FeedIdempotencyTable {
  feed_id: string;
  key: string;
  body_hash: string;
  status: number;
  answer: string;
  created_at: number;
}

export type CaseRow = Selectable<CasesTable>;
export type NewCase = Insertable<CasesTable>;
export type CaseUpdate = Updateable<CasesTable>;
