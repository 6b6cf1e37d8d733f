import { Group, Kbd, Loader, Paper, Popover, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { forwardRef, useEffect, useState } from 'react';
import { useMethodQuery } from '../api/queries';
import { IconSearch } from '../ui/Icons';
import { Money } from '../ui/Money';
import { StatusBadge } from '../ui/StatusBadge';
import { reasonLabel } from '../ui/format';
import type { SearchHit } from '../api/types';

const MATCH_LABEL: Record<SearchHit['matchedOn'], string> = {
  case: 'case id',
  order: 'order id',
  buyer: 'buyer id',
  buyer_name: 'buyer name',
  tracking: 'tracking no.',
};

/**
 * The header search: case id (or its beginning), order id, buyer id or name, tracking
 * number. Arrow keys move through the hits, Enter opens one, Esc leaves the field.
 */
export const SearchBox = forwardRef<HTMLInputElement, { onOpen: (caseId: string) => void }>(function SearchBox({ onOpen }, ref) {
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), 200);
  // The last hits stay while the next ones load.
  const search = useMethodQuery('case.search', debounced.length >= 2 ? { query: debounced, limit: 12 } : null, { keepPrevious: true });
  const hits: SearchHit[] | null = search.data?.hits ?? null;
  const error = search.error?.message ?? null;
  const loading = search.loading;
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  // New hits: the first one is active.
  useEffect(() => setActive(0), [search.data, search.error]);

  function choose(hit: SearchHit | undefined) {
    if (!hit) return;
    onOpen(hit.id);
    setOpen(false);
    setText('');
    (document.activeElement as HTMLElement | null)?.blur();
  }

  const showDropdown = open && debounced.length >= 2 && (hits !== null || error !== null || loading);

  return (
    <Popover opened={showDropdown} position="bottom-start" width={760} shadow="md" trapFocus={false} returnFocus={false} withinPortal>
      <Popover.Target>
        <TextInput
          ref={ref}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, (hits?.length ?? 1) - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              choose(hits?.[active]);
            } else if (e.key === 'Escape') {
              setText('');
              setOpen(false);
              e.currentTarget.blur();
            }
          }}
          placeholder="Search case, order, buyer, tracking"
          aria-label="Search cases"
          // The popover marks its target expanded or not, which only a combobox may be.
          role="combobox"
          aria-autocomplete="list"
          aria-keyshortcuts="/"
          leftSection={loading ? <Loader size={14} /> : <IconSearch size={15} />}
          rightSection={<Kbd size="xs">/</Kbd>}
          rightSectionWidth={34}
          w="100%"
          maw={420}
          miw={180}
          size="sm"
          data-testid="search-input"
        />
      </Popover.Target>
      <Popover.Dropdown p={4} data-testid="search-results">
        {error ? (
          <Text fz="sm" c="red.7" p="sm">
            {error}
          </Text>
        ) : hits && hits.length === 0 ? (
          <Text fz="sm" c="dimmed" p="sm">
            Nothing found for “{debounced}”.
          </Text>
        ) : (
          (hits ?? []).map((h, i) => (
            <UnstyledButton
              key={h.id}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(h)}
              onMouseEnter={() => setActive(i)}
              w="100%"
              data-testid="search-hit"
            >
              <Paper px="sm" py={6} radius="sm" bg={i === active ? 'indigo.0' : undefined}>
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
                    <Text fz="sm" className="mono" fw={600} w={100} style={{ whiteSpace: 'nowrap', flexShrink: 0 }}>
                      {h.id}
                    </Text>
                    <span style={{ flexShrink: 0 }}>
                      <StatusBadge status={h.status} size="xs" />
                    </span>
                    <Text fz="sm" truncate title={`${h.buyerName} · ${reasonLabel(h.reason)}`}>
                      {h.buyerName} · {reasonLabel(h.reason)}
                    </Text>
                  </Group>
                  <Group gap="sm" wrap="nowrap">
                    <Money minor={h.claimAmountMinor} currency={h.currency} fz="sm" />
                    <Text fz="xs" c="dimmed" w={84} ta="right">
                      {MATCH_LABEL[h.matchedOn]}
                    </Text>
                  </Group>
                </Group>
              </Paper>
            </UnstyledButton>
          ))
        )}
      </Popover.Dropdown>
    </Popover>
  );
});
