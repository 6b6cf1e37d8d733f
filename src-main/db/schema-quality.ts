/** Row types of migrations/0015_scorecards_double (the quality_reviews column it adds is in schema.ts). */
export interface QualityScorecardsTable {
  case_id: string;
  decision_seq: number;
  reviewer_id: string;
  evidence_score: number;
  reasons_score: number;
  policy_score: number;
  letters_score: number;
  /** JSON text: { [criterion]: { cause, note } } for each mark of 2 or less. */
  causes: string;
  verdict: string;
  note: string;
  scored_at: number;
}
export interface DoubleDecisionsTable {
  case_id: string;
  first_seq: number;
  first_decided_by: string;
  second_decider: string;
  selected_at: number;
  outcome: string | null;
  amount_minor: number | null;
  reasons: string | null;
  decided_at: number | null;
}
export interface QualityTables {
  quality_scorecards: QualityScorecardsTable;
  double_decisions: DoubleDecisionsTable;
}
