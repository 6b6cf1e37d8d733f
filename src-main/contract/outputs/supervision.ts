import { z } from 'zod';
import type { QueuePage } from './queue';
import type { AppealsListView, PolicyPreviewView, PolicyVersionView, QualityListView, TeamOverview } from '../supervision';

/**
 * What the supervisors' methods (contract/supervision.ts) answer. The larger views stay
 * next to the methods' inputs in contract/supervision.ts; the small results are here.
 */

/** What `case.assignMany` answers: the new assignee and every case now theirs (all or none). */
export const AssignManyResult = z.object({ userId: z.string(), caseIds: z.array(z.string()) });
export type AssignManyResult = z.output<typeof AssignManyResult>;

/** What `quality.review` answers: the sampled case and the verdict recorded. */
export const QualityReviewResult = z.object({ caseId: z.string(), verdict: z.enum(['agree', 'disagree']) });
export type QualityReviewResult = z.output<typeof QualityReviewResult>;

/** What the supervision methods answer. */
export interface SupervisionOutputs {
  'appeals.list': AppealsListView;
  'team.overview': TeamOverview;
  /** One member's open cases, one bounded page in the queue's row shape. */
  'team.memberCases': QueuePage;
  'case.assignMany': AssignManyResult;
  'policy.get': PolicyVersionView;
  'policy.history': PolicyVersionView[];
  'policy.preview': PolicyPreviewView;
  'policy.publish': PolicyVersionView;
  'quality.list': QualityListView;
  'quality.review': QualityReviewResult;
}
