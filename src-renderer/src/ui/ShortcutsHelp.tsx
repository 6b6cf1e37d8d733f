import { Group, Kbd, Modal, SimpleGrid, Stack, Text } from '@mantine/core';

const GROUPS: Array<{ title: string; keys: Array<[string[], string]> }> = [
  {
    title: 'Queue',
    keys: [
      [['j'], 'Next case in the list'],
      [['k'], 'Previous case in the list'],
      [['Enter'], 'Open the selected case'],
      [['n'], 'Take the next unassigned case (asks first while a case is open; Undo in the toast)'],
      [['1'], 'Mine'],
      [['2'], 'Unassigned'],
      [['3'], 'All open (supervisors, analysts)'],
      [['f'], 'Open the filters'],
    ],
  },
  {
    title: 'Case',
    keys: [
      [['Esc'], 'Back to the queue'],
      [['j'], 'Next case of the list'],
      [['k'], 'Previous case of the list'],
      [['c'], 'Claim the case'],
      [['e'], 'Request evidence'],
      [['v'], 'Open the evidence review'],
      [['p'], 'Publish the resolutions'],
      [['d'], 'Decide'],
      [['u'], 'Uphold the appeal (supervisors)'],
      [['o'], 'Overturn the appeal (supervisors)'],
    ],
  },
  {
    title: 'Evidence review',
    keys: [
      [['→', 'j'], 'Next file'],
      [['←', 'k'], 'Previous file'],
      [['+', '−'], 'Zoom in, out (or the mouse wheel; drag to pan)'],
      [['0'], 'Fit the picture'],
      [['1'], 'Actual pixels'],
      [['o'], 'Original / display copy'],
      [['v'], 'Verify the file’s SHA-256'],
      [['Esc'], 'Back to the case'],
    ],
  },
  {
    title: 'Anywhere',
    keys: [
      [['/'], 'Search by case, order, buyer or tracking number'],
      [['?'], 'This help'],
      [['Ctrl', 'Enter'], 'Send the open form'],
    ],
  },
];

export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size={960} centered>
      <SimpleGrid cols={3} spacing="xl" data-testid="shortcuts-help">
        {GROUPS.map((g) => (
          <Stack key={g.title} gap={6}>
            <Text fz="xs" fw={700} tt="uppercase" c="dimmed" style={{ letterSpacing: '0.04em' }}>
              {g.title}
            </Text>
            {g.keys.map(([keys, what]) => (
              <Group key={what} gap="sm" wrap="nowrap" align="flex-start">
                <Group gap={4} wrap="nowrap" w={80} style={{ flexShrink: 0 }}>
                  {keys.map((k) => (
                    <Kbd key={k} size="sm">
                      {k}
                    </Kbd>
                  ))}
                </Group>
                <Text fz="sm">{what}</Text>
              </Group>
            ))}
          </Stack>
        ))}
      </SimpleGrid>
      <Text fz="xs" c="dimmed" mt="lg">
        Single-key shortcuts pause while you type in a field or a dialog is open.
      </Text>
    </Modal>
  );
}
