import { AppShell, Badge, Button, Group, Tabs, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { subscribe } from '../client';
import { humanize, localTimeZone } from '../format';
import type { Me } from '../types';
import { CaseDetail } from './CaseDetail';
import { QueueTable, type QueueScope } from './QueueTable';

/** Bursts of notices (a sweep closing many cases) become one refetch. */
const COALESCE_MS = 250;

export function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const [scope, setScope] = useState<QueueScope>(me.role === 'mediator' ? 'unassigned' : 'all');
  const [selected, setSelected] = useState<string | null>(null);
  const [queueKey, setQueueKey] = useState(0);
  const [caseKey, setCaseKey] = useState(0);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let touchesCase = false;
    const unsubscribe = subscribe((notice) => {
      const open = selectedRef.current;
      if (notice === null || (open !== null && notice.caseIds.includes(open))) touchesCase = true;
      timer ??= setTimeout(() => {
        timer = null;
        setQueueKey((k) => k + 1);
        if (touchesCase) setCaseKey((k) => k + 1);
        touchesCase = false;
      }, COALESCE_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, []);

  return (
    <AppShell
      header={{ height: 52 }}
      aside={{ width: { base: 420, xl: 540 }, breakpoint: 'sm', collapsed: { desktop: selected === null, mobile: selected === null } }}
      padding={0}
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Title order={4}>Mediation Desk</Title>
            <Text size="xs" c="dimmed" visibleFrom="md">
              Times in {localTimeZone()}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" fw={500} data-testid="signed-in-user">
              {me.name}
            </Text>
            <Badge variant="outline" size="sm" radius="sm" style={{ textTransform: 'none' }}>
              {humanize(me.role)}
            </Badge>
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Main>
        <Tabs value={scope} onChange={(v) => v && setScope(v as QueueScope)} keepMounted={false}>
          <Tabs.List px="md" pt="xs">
            <Tabs.Tab value="unassigned">Unassigned</Tabs.Tab>
            <Tabs.Tab value="mine">Mine</Tabs.Tab>
            {me.role !== 'mediator' && <Tabs.Tab value="all">All open</Tabs.Tab>}
          </Tabs.List>
        </Tabs>
        <QueueTable scope={scope} selectedId={selected} onSelect={setSelected} refreshKey={queueKey} />
      </AppShell.Main>

      <AppShell.Aside>
        {selected !== null && <CaseDetail key={selected} caseId={selected} onClose={() => setSelected(null)} refreshKey={caseKey} />}
      </AppShell.Aside>
    </AppShell>
  );
}
