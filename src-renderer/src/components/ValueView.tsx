import { Code, DataList, Table, Text } from '@mantine/core';
import { createContext, useContext } from 'react';
import { formatInstant, formatMoney, humanize, ISO_INSTANT, labelFor } from '../format';

/**
 * Renders any JSON value readably: objects as label/value lists, arrays of objects as
 * compact tables, ISO instants in local time, `…Minor` integers as money. The case
 * shape is still evolving, so nothing here assumes a field exists.
 */

/** The currency `…Minor` amounts below are in (the order's currency, usually). */
export const CurrencyContext = createContext<string | null>(null);

const MAX_DEPTH = 4;
/** Keys whose values are vocabulary (snake_case enums), shown as words. */
const ENUM_KEYS = new Set(['status', 'reason', 'kind', 'type', 'remedy', 'by', 'party', 'outcome', 'basis', 'grounds', 'label', 'recommended', 'choice', 'verdict']);

export function ValueView({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const currency = useContext(CurrencyContext);
  if (value === null || value === undefined || value === '') return <Text span inherit c="dimmed">—</Text>;
  if (typeof value === 'boolean') return <Text span inherit>{value ? 'Yes' : 'No'}</Text>;
  if (typeof value === 'number') {
    if (name?.endsWith('Minor') && currency && Number.isInteger(value)) return <Text span inherit>{formatMoney(value, currency)}</Text>;
    return <Text span inherit>{value}</Text>;
  }
  if (typeof value === 'string') {
    if (ISO_INSTANT.test(value)) return <Text span inherit title={value}>{formatInstant(value)}</Text>;
    if (name !== undefined && ENUM_KEYS.has(name) && /^[a-z][a-z_.]*$/.test(value)) return <Text span inherit>{humanize(value)}</Text>;
    return <Text span inherit style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{value}</Text>;
  }
  if (depth >= MAX_DEPTH) return <Code>{JSON.stringify(value)}</Code>;
  if (Array.isArray(value)) return <ListView items={value} depth={depth} />;
  if (typeof value === 'object') return <ObjectView object={value as Record<string, unknown>} depth={depth} />;
  return <Text span inherit>{String(value)}</Text>;
}

function ObjectView({ object, depth }: { object: Record<string, unknown>; depth: number }) {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return <Text span inherit c="dimmed">—</Text>;
  return (
    <DataList size="xs" gap={4} labelWidth={depth === 0 ? 140 : 110}>
      {entries.map(([key, v]) => (
        <DataList.Item key={key}>
          <DataList.ItemLabel c="dimmed">{labelFor(key)}</DataList.ItemLabel>
          <DataList.ItemValue>
            <ValueView value={v} name={key} depth={depth + 1} />
          </DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

function ListView({ items, depth }: { items: unknown[]; depth: number }) {
  if (items.length === 0) return <Text span inherit c="dimmed" size="sm">None</Text>;
  const objects = items.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i));
  if (!objects) {
    return (
      <Text span inherit>
        {items.map((i, n) => (
          <span key={n}>
            {n > 0 && ', '}
            <ValueView value={i} depth={depth + 1} />
          </span>
        ))}
      </Text>
    );
  }
  // Columns: the union of keys, in first-seen order.
  const columns = [...new Set(items.flatMap((i) => Object.keys(i as object)))];
  return (
    <Table.ScrollContainer minWidth={columns.length * 110}>
      <Table withTableBorder withColumnBorders verticalSpacing={4} horizontalSpacing="xs" fz="xs">
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c}>{labelFor(c)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item, n) => (
            <Table.Tr key={n}>
              {columns.map((c) => (
                <Table.Td key={c} style={{ verticalAlign: 'top' }}>
                  <ValueView value={(item as Record<string, unknown>)[c]} name={c} depth={depth + 1} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
