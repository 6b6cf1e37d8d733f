import { LoadError, Loading } from '../../ui/LoadState';
import { Alert, Badge, Box, Button, Code, CopyButton, Group, Modal, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { FeedListenerView, FeedView } from '../../../../src-main/contract/feed';
import { IconAlert } from '../../ui/Icons';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { useToast } from '../../ui/Toast';
import { formatDuration, formatInstant } from '../../ui/format';
import { Empty, ScreenHeader, Stat } from './shared';
import { ImportDisputes } from './ImportDisputes';

/** Deliveries move without a case changing, so the screen reads the feeds again this often while shown. */
const REFRESH_MS = 3_000;

/**
 * The marketplace connections (FEED.md): for each feed, how far its consumer has read the
 * event cursor, what its webhook has delivered, how far behind either is and why a delivery
 * fails. Supervisors create a feed here (the token is shown once) or revoke one.
 */
export function FeedsScreen({ active }: { me: Me; active: boolean }) {
  const query = useMethodQuery('feeds.list', {}, { enabled: active });
  const { reload } = query;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, reload]);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const data = query.data;
  const now = data ? Date.parse(data.at) : 0;
  const live = data?.feeds.filter((f) => !f.revokedAt) ?? [];
  const failing = live.filter((f) => f.attempts > 0).length;
  const behind = live.reduce((n, f) => n + (f.webhook ? f.lag : f.cursorLag), 0);

  return (
    <Box className="sv-page" data-testid="feeds-screen">
      <ScreenHeader
        title="Feeds"
        subtitle="Marketplace connections: what each has read or been sent, how far behind it is, and why deliveries fail."
        right={
          <Button size="xs" onClick={() => setCreating(true)} data-testid="feed-create">
            New feed
          </Button>
        }
      />
      <LoadError title="The feeds could not be loaded" error={query.error} />
      <ImportDisputes active={active} />
      {data?.listener && <FeedListener listener={data.listener} />}
      {!data ? (
        query.loading && <Loading />
      ) : (
        <>
          <Group gap="sm" mb="md" wrap="wrap">
            <Stat label="Active feeds" value={live.length} hint={`${data.feeds.length - live.length} revoked`} testId="stat-feeds" />
            <Stat label="Events not yet taken" value={behind.toLocaleString()} hint="unread or undelivered, all feeds" />
            <Stat
              label="Webhooks failing"
              value={failing}
              tone={failing ? 'red.7' : undefined}
              hint="a delivery failed and waits for its retry"
              testId="stat-failing"
            />
          </Group>
          {data.feeds.length === 0 ? (
            <Empty
              title="No marketplace is connected"
              hint="Create a feed and give its token to the marketplace; it then sends disputes and reads events (see the README, Connecting a marketplace)."
              testId="feeds-empty"
            />
          ) : (
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              {data.feeds.map((f) => (
                <FeedCard key={f.name} feed={f} now={now} onRevoke={() => setRevoking(f.name)} />
              ))}
            </SimpleGrid>
          )}
        </>
      )}
      <CreateFeed opened={creating} onClose={() => setCreating(false)} />
      <RevokeFeed name={revoking} onClose={() => setRevoking(null)} />
    </Box>
  );
}

const ago = (iso: string | null, now: number) => (iso ? `${formatDuration(Math.max(0, now - Date.parse(iso)))} ago` : 'never');

function Line({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text fz="xs" c="dimmed" w={130} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text fz="sm" component="div" style={{ minWidth: 0, overflowWrap: 'anywhere' }} data-testid={testId}>
        {children}
      </Text>
    </Group>
  );
}

function FeedCard({ feed: f, now, onRevoke }: { feed: FeedView; now: number; onRevoke: () => void }) {
  const lagTone = (n: number) => (n > 0 ? 'red.9' : 'teal.9');
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={`Feed ${f.name}`} data-testid={`feed-${f.name}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <Text fw={700} truncate>
            {f.name}
          </Text>
          {f.revokedAt ? (
            <Badge color="gray.7" variant="filled">
              revoked {formatInstant(f.revokedAt)}
            </Badge>
          ) : f.attempts > 0 ? (
            <Badge color="red.9" variant="filled">
              webhook failing
            </Badge>
          ) : (
            <Badge color="teal.9" variant="filled">
              active
            </Badge>
          )}
        </Group>
        {!f.revokedAt && (
          <Button size="compact-xs" variant="subtle" color="red" onClick={onRevoke} aria-label={`Revoke the token of ${f.name}`}>
            Revoke
          </Button>
        )}
      </Group>
      <Stack gap={4}>
        <Line label="Created · last call">
          {formatInstant(f.createdAt)} · {f.lastSeenAt ? ago(f.lastSeenAt, now) : 'no call yet'}
        </Line>
        <Line label="Events (head)" testId="feed-head">
          {f.headSeq === 0 ? 'none yet' : `up to #${f.headSeq}`}
        </Line>
        {(f.cursorReadAt || !f.webhook) && (
          <Line label="Event cursor" testId="feed-cursor">
            {f.cursorReadAt ? `handled up to #${f.cursorSeq}, read ${ago(f.cursorReadAt, now)}` : 'never read'} ·{' '}
            <Text span c={lagTone(f.cursorLag)} fw={600} fz="sm" data-testid="feed-cursor-lag">
              {f.cursorLag ? `${f.cursorLag} unread` : 'up to date'}
            </Text>
            {f.oldestUnreadAt && `, oldest ${ago(f.oldestUnreadAt, now)}`}
          </Line>
        )}
        <Line label="Webhook" testId="feed-webhook">
          {f.webhook ? f.webhook.url : 'none (the marketplace reads the cursor)'}
        </Line>
        {f.webhook && (
          <>
            <Line label="Deliveries" testId="feed-deliveries">
              {f.deliveredBatches
                ? `${f.deliveredBatches} ${f.deliveredBatches === 1 ? 'batch' : 'batches'} up to #${f.deliveredSeq}, last ${ago(f.lastDeliveredAt, now)}`
                : 'none yet'}{' '}
              ·{' '}
              <Text span c={lagTone(f.lag)} fw={600} fz="sm" data-testid="feed-webhook-lag">
                {f.lag ? `${f.lag} undelivered` : 'up to date'}
              </Text>
              {f.oldestUndeliveredAt && `, oldest ${ago(f.oldestUndeliveredAt, now)}`}
            </Line>
            <Line label="Failures" testId="feed-failures">
              {f.attempts > 0 ? (
                <Text span c="red.9" fz="sm">
                  {f.attempts} failed {f.attempts === 1 ? 'attempt' : 'attempts'} in a row: {f.lastError ?? 'no answer'} Next try{' '}
                  {f.nextAttemptAt ? formatInstant(f.nextAttemptAt, true) : 'soon'}
                </Text>
              ) : (
                `none since the last delivery (${f.failedAttemptsTotal} in all)`
              )}
            </Line>
          </>
        )}
      </Stack>
    </Paper>
  );
}

function CreateFeed({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useMethodMutation('feeds.create');
  const [name, setName] = useState('');
  const [webhook, setWebhook] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<{ name: string; token: string; webhookSecret: string | null } | null>(null);
  const close = () => {
    setName('');
    setWebhook('');
    setError(null);
    setIssued(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const r = await create.mutateAsync({ name: name.trim(), ...(webhook.trim() ? { webhookUrl: webhook.trim() } : {}) });
    if (!r.ok) return setError(r.error.message);
    setIssued(r.value);
  };
  return (
    <Modal opened={opened} onClose={close} title={issued ? `Feed ${issued.name} created` : 'New feed'} centered size="lg">
      {issued ? (
        <Stack gap="sm">
          <Text fz="sm">
            Give this token to the marketplace now: it is shown only once (the desk keeps only its hash). Revoke the feed and create another
            if it is lost.
          </Text>
          <Secret label="Token" value={issued.token} testId="feed-token" />
          {issued.webhookSecret && <Secret label="Webhook secret" value={issued.webhookSecret} testId="feed-webhook-secret" />}
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <Stack gap="sm">
            <TextInput
              label="Name"
              description="1–64 letters, digits, “.”, “_” or “-”"
              required
              data-autofocus
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              label="Webhook URL (optional)"
              description="Where the desk posts signed event batches; leave empty when the marketplace reads the cursor."
              value={webhook}
              onChange={(e) => setWebhook(e.currentTarget.value)}
            />
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create feed
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function Secret({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <Text fz="xs" fw={600} mb={2}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }} data-testid={testId}>
          {value}
        </Code>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy} aria-label={`Copy the ${label.toLowerCase()}`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </div>
  );
}

function RevokeFeed({ name, onClose }: { name: string | null; onClose: () => void }) {
  const revoke = useMethodMutation('feeds.revoke');
  const toast = useToast();
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    if (!name) return;
    const r = await revoke.mutateAsync({ name });
    if (!r.ok) return setError(r.error.message);
    toast({ message: `The token of ${name} no longer works.`, color: 'teal' });
    setError(null);
    onClose();
  };
  return (
    <Modal opened={name !== null} onClose={onClose} title={`Revoke ${name ?? ''}?`} centered>
      <Stack gap="sm">
        <Text fz="sm">
          The marketplace’s token stops working at once: its calls are refused and it reads no more events. Its cases stay on the desk. This
          cannot be undone; a new feed gets a new token.
        </Text>
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void confirm()} loading={revoke.isPending}>
            Revoke token
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * The desktop's own feed listener: where the marketplace reaches this desk, or, when it could
 * not start (a port another program holds), why and what to do. The browser build shares the
 * page's server and shows neither.
 */
function FeedListener({ listener }: { listener: FeedListenerView }) {
  if (listener.problem)
    return (
      <Alert
        color="red"
        variant="light"
        mb="md"
        icon={<IconAlert size={18} />}
        title="The marketplace cannot reach this desk"
        role="alert"
        data-testid="feed-listener-problem"
      >
        {listener.problem}
      </Alert>
    );
  return (
    <Text fz="sm" c="dimmed" mb="md" data-testid="feed-listener">
      The marketplace reaches this desk at <Code>{listener.url}</Code>
      {listener.host === '127.0.0.1' || listener.host === '::1' || listener.host === 'localhost' ? ' (this computer only).' : '.'}
    </Text>
  );
}
