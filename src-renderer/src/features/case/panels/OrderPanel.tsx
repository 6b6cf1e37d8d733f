import { Badge, Box, Group, SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Money } from '../../../ui/Money';
import { Fact, Section } from '../../../ui/Section';
import { formatInstant, humanize } from '../../../ui/format';
import type { CaseView } from '../../../api/types';

const DELIVERY_COLORS: Record<string, string> = { delivered: 'teal', in_transit: 'blue', returned_to_sender: 'orange', no_info: 'gray' };

function Row({ label, children, strong }: { label: ReactNode; children: ReactNode; strong?: boolean }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="sm" py={3}>
      <Text fz="sm" c="dimmed">
        {label}
      </Text>
      <Text fz="sm" fw={strong ? 600 : undefined} component="div" ta="right">
        {children}
      </Text>
    </Group>
  );
}

export function OrderPanel({ view }: { view: CaseView }) {
  const o = view.order;
  return (
    <Section title="Order & tracking" testId="order-panel">
      <Text fw={600} fz="sm" mb={6}>
        {o.item.quantity > 1 ? `${o.item.quantity} × ` : ''}
        {o.item.title}
      </Text>
      <Fact label="Order">
        <span className="mono">{o.id}</span>
      </Fact>
      <SimpleGrid cols={2} spacing="xs" mb="sm" mt={6}>
        <Fact label="Placed">{formatInstant(o.placedAt)}</Fact>
        <Fact label="Shipped">{formatInstant(o.shippedAt)}</Fact>
      </SimpleGrid>
      <Box
        style={{ borderTop: '1px solid var(--mantine-color-gray-2)', borderBottom: '1px solid var(--mantine-color-gray-2)' }}
        py={4}
        mb="sm"
      >
        <Row label="Item price">
          <Money minor={o.itemPriceMinor} currency={o.currency} />
        </Row>
        <Row label="Shipping">
          <Money minor={o.shippingMinor} currency={o.currency} />
        </Row>
        <Row label="Order total" strong>
          <Money minor={o.totalMinor} currency={o.currency} strong />
        </Row>
      </Box>
      <SimpleGrid cols={2} spacing="xs">
        {/* The whole width: a 17-character number (and a two-digit day) split over two lines in half of it (1024 px). */}
        <Box style={{ gridColumn: '1 / -1' }}>
          <Fact label="Tracking number">
            <span className="mono" data-testid="tracking-number">
              {o.tracking.number ?? '—'}
            </span>
          </Fact>
        </Box>
        <Fact label="Carrier">{o.tracking.carrier ?? '—'}</Fact>
        <Fact label="Delivery status">
          <Badge
            size="sm"
            variant="light"
            radius="sm"
            color={DELIVERY_COLORS[o.tracking.status] ?? 'gray'}
            style={{ textTransform: 'none' }}
          >
            {humanize(o.tracking.status)}
          </Badge>
        </Fact>
        <Box style={{ gridColumn: '1 / -1' }}>
          <Fact label="Delivered">{formatInstant(o.tracking.deliveredAt)}</Fact>
        </Box>
      </SimpleGrid>
    </Section>
  );
}
