import type { Migration } from 'kysely';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_saved_views';
import * as m0003 from './0003_buyer_risk';
import * as m0004 from './0004_supervision';
import * as m0005 from './0005_evidence_files';
import * as m0006 from './0006_change_log';
import * as m0007 from './0007_evidence_blobs';
import * as m0008 from './0008_feeds_outbox';
import * as m0009 from './0009_accounts_sessions';
import * as m0010 from './0010_audit_chain';
import * as m0011 from './0011_presence_counts';
import * as m0012 from './0012_mine_overdue_index';
import * as m0014 from './0014_feed_cursor';
import * as m0013 from './0013_photo_prints';
import * as m0015 from './0015_scorecards_double';
import * as m0016 from './0016_languages_reports';
import * as m0018 from './0018_casework';
import * as m0020 from './0020_seller_risk';
import * as m0021 from './0021_unassigned_queue_index';
import * as m0024 from './0024_queue_sort_message_language';
import * as m0028 from './0028_report_facts';
import * as m0031 from './0031_report_trigger_guards';
import * as m0033 from './0033_buyer_risk_context';
import * as m0034 from './0034_cases_buyer_score';
import * as m0035 from './0035_risk_photo_sellers';
import * as m0036 from './0036_mine_by_risk_index';
import * as m0037 from './0037_cases_is_open';
import * as m0038 from './0038_queue_counts_every_shard';
import * as m0040 from './0040_buyer_risk_created';
import * as m0042 from './0042_fewer_status_indexes';
import * as m0044 from './0044_orders_buyer_seller_index';
import * as m0049 from './0049_events_by_chain';
import * as m0050 from './0050_report_rows_by_writer';
import * as m0051 from './0051_links_by_value_account';

/**
 * Static imports (not a folder scan) so tsx, vitest and the Electron bundle all see the
 * same list; a test checks every file in this folder is listed here.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_saved_views': m0002,
  '0003_buyer_risk': m0003,
  '0004_supervision': m0004,
  '0005_evidence_files': m0005,
  '0006_change_log': m0006,
  '0007_evidence_blobs': m0007,
  '0008_feeds_outbox': m0008,
  '0009_accounts_sessions': m0009,
  '0010_audit_chain': m0010,
  '0011_presence_counts': m0011,
  '0012_mine_overdue_index': m0012,
  '0014_feed_cursor': m0014,
  '0013_photo_prints': m0013,
  '0015_scorecards_double': m0015,
  '0016_languages_reports': m0016,
  '0018_casework': m0018,
  '0020_seller_risk': m0020,
  '0021_unassigned_queue_index': m0021,
  '0024_queue_sort_message_language': m0024,
  '0028_report_facts': m0028,
  '0031_report_trigger_guards': m0031,
  '0033_buyer_risk_context': m0033,
  '0034_cases_buyer_score': m0034,
  '0035_risk_photo_sellers': m0035,
  '0036_mine_by_risk_index': m0036,
  '0037_cases_is_open': m0037,
  '0038_queue_counts_every_shard': m0038,
  '0040_buyer_risk_created': m0040,
  '0042_fewer_status_indexes': m0042,
  '0044_orders_buyer_seller_index': m0044,
  '0049_events_by_chain': m0049,
  '0050_report_rows_by_writer': m0050,
  '0051_links_by_value_account': m0051,
};
