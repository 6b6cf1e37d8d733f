import { Modal, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import { useMethodMutation } from '../../api/queries';
import { ctrlEnter, Footer, Refusal, TextRow } from '../../ui/FormParts';
import type { CaseView } from '../../api/types';

/**
 * Gives the case back to the unassigned queue with a reason (audited in the case's log):
 * a case taken by mistake, or one the mediator cannot handle. The core allows it while the
 * case is in review; waiting on the parties, only a supervisor's reassignment moves it.
 */
export function ReleaseDialog({
  opened,
  onClose,
  view,
  onDone,
}: {
  opened: boolean;
  onClose: () => void;
  view: CaseView;
  onDone: (message: string) => void;
}) {
  const [reason, setReason] = useState('');
  const release = useMethodMutation('case.release');
  const busy = release.isPending;
  const [error, setError] = useState<AppError | null>(null);

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!reason.trim() || busy) return;
    const r = await release.mutateAsync({ caseId: view.id, reason: reason.trim() });
    if (!r.ok) return setError(r.error);
    setError(null);
    setReason('');
    onDone(`Case ${view.id} is back in the unassigned queue.`);
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`Release · ${view.id}`} size="md" className="md-command-dialog">
      <form onSubmit={(e) => void submit(e)} onKeyDown={ctrlEnter(() => void submit())} data-testid="release-form">
        <Stack gap="sm">
          <Text fz="sm">The case goes back to the unassigned queue, where anyone can take it. Your reason is kept in its log.</Text>
          <TextRow label="Why are you releasing it?" value={reason} onChange={setReason} maxLength={500} required data-autofocus />
          <Refusal error={error} />
          <Footer busy={busy} label="Release the case" disabled={!reason.trim()} onCancel={onClose} testId="release-submit" />
        </Stack>
      </form>
    </Modal>
  );
}
