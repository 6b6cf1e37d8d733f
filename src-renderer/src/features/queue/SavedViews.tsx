import { ActionIcon, Alert, Button, Group, Menu, Modal, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import { IconBookmark, IconChevronDown, IconX } from '../../ui/Icons';
import { useToast } from '../../ui/Toast';
import type { SavedFilter, SavedView } from '../../api/types';
import { activeFilters, normalizeFilter, sameFilter } from './filters';

const SCOPE_LABEL = { mine: 'Mine', unassigned: 'Unassigned', all: 'All open' } as const;

/** The user's saved queue views: pick one, save the current tab + filters, delete. */
export function SavedViews({ filter, onPick, ready }: { filter: SavedFilter; onPick: (f: SavedFilter) => void; ready: boolean }) {
  const views = useMethodQuery('views.list', ready ? {} : null);
  const deleteView = useMethodMutation('views.delete');
  const toast = useToast();
  const [saving, setSaving] = useState(false);
  const list = views.data ?? [];
  const current = list.find((v) => sameFilter(v.filter, filter));

  async function remove(v: SavedView) {
    const r = await deleteView.mutateAsync({ id: v.id });
    if (r.ok) toast({ message: `View “${v.name}” deleted.`, color: 'gray' });
    else toast({ title: 'Could not delete the view', message: r.error.message, color: 'red' });
  }

  return (
    <>
      <Menu position="bottom-end" width={320} shadow="md" withinPortal withInitialFocusPlaceholder={false} menuItemTabIndex={0}>
        <Menu.Target>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconBookmark size={14} />}
            rightSection={<IconChevronDown size={14} />}
            data-testid="views-menu"
          >
            {current ? current.name : 'Views'}
          </Button>
        </Menu.Target>
        {/* A menu may hold only items (axe: aria-required-children): the heading is for the eye, the menu is named by aria-label. */}
        <Menu.Dropdown aria-label="Saved views">
          <Menu.Label aria-hidden="true">Saved views</Menu.Label>
          {list.length === 0 && (
            // An item, not loose text (a menu holds only items); a sentence, so not greyed out as a disabled control.
            <Menu.Item disabled fz="xs" style={{ color: 'var(--mantine-color-dimmed)', opacity: 1, cursor: 'default' }}>
              None yet. Set filters, then save them here.
            </Menu.Item>
          )}
          {list.map((v) => (
            <Menu.Item
              key={v.id}
              onClick={() => onPick(v.filter)}
              rightSection={
                <Tooltip label="Delete view" openDelay={300}>
                  <ActionIcon
                    component="span"
                    size="sm"
                    variant="subtle"
                    color="gray"
                    aria-label={`Delete view ${v.name}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      void remove(v);
                    }}
                  >
                    <IconX size={12} />
                  </ActionIcon>
                </Tooltip>
              }
              data-testid="saved-view"
            >
              <Text fz="sm" fw={current?.id === v.id ? 600 : 400}>
                {v.name}
              </Text>
              <Text fz="xs" c="dimmed" lineClamp={1}>
                {[SCOPE_LABEL[v.filter.scope], ...activeFilters(v.filter).map((a) => a.label)].join(' · ')}
              </Text>
            </Menu.Item>
          ))}
          <Menu.Divider role="separator" />
          <Menu.Item onClick={() => setSaving(true)} leftSection={<IconBookmark size={14} />}>
            Save current view…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <SaveViewDialog
        opened={saving}
        filter={filter}
        existing={list}
        onClose={() => setSaving(false)}
        onSaved={(v) => {
          setSaving(false);
          toast({ message: `View “${v.name}” saved.`, color: 'teal' });
        }}
      />
    </>
  );
}

function SaveViewDialog({
  opened,
  filter,
  existing,
  onClose,
  onSaved,
}: {
  opened: boolean;
  filter: SavedFilter;
  existing: SavedView[];
  onClose: () => void;
  onSaved: (v: SavedView) => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const saveView = useMethodMutation('views.save');
  const busy = saveView.isPending;
  const replaces = existing.find((v) => v.name === name.trim());

  async function save() {
    setError(null);
    const r = await saveView.mutateAsync({ name: name.trim(), filter: normalizeFilter(filter) });
    if (r.ok) {
      setName('');
      onSaved(r.value);
    } else setError(r.error.message);
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Save this view" size="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="sm">
          <Text fz="sm" c="dimmed">
            {[SCOPE_LABEL[filter.scope], ...activeFilters(filter).map((a) => a.label)].join(' · ')}
          </Text>
          <TextInput
            label="Name"
            placeholder="e.g. Flagged buyers, big claims"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={80}
            data-autofocus
            required
          />
          {replaces && (
            <Text fz="xs" c="orange.8">
              This replaces the filters of your view “{replaces.name}”.
            </Text>
          )}
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!name.trim()}>
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
