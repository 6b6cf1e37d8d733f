import { Button, Menu, Text } from '@mantine/core';
import type { MediatorStats } from '../../../../src-main/contract/supervision';
import { IconChevronDown } from '../../ui/Icons';

/**
 * "Assign to…": the team, least loaded first, each with open and overdue counts, so the
 * choice is made with the load in view. The current assignee is left out.
 */
export function AssignMenu({
  members,
  exclude,
  label,
  onPick,
  loading,
  disabled,
  size = 'compact-sm',
  testId,
}: {
  members: MediatorStats[];
  exclude?: string | null;
  label: string;
  onPick: (userId: string) => void;
  loading?: boolean;
  disabled?: boolean;
  size?: 'compact-sm' | 'xs' | 'sm';
  testId?: string;
}) {
  const options = members
    .filter((m) => m.userId !== exclude)
    .sort((a, b) => a.openCases - b.openCases || a.overdueCases - b.overdueCases || a.name.localeCompare(b.name));
  return (
    // Opened by Enter, focus goes to the first item (the menu-button pattern). Mantine's own start
    // point instead, a focusable role="presentation" div inside role="menu", is a critical axe
    // finding (aria-required-children).
    <Menu position="bottom-end" withinPortal shadow="md" width={280} withInitialFocusPlaceholder={false} menuItemTabIndex={0}>
      <Menu.Target>
        <Button
          size={size}
          variant="light"
          rightSection={<IconChevronDown size={14} />}
          loading={loading}
          disabled={disabled}
          data-testid={testId}
          onClick={(e) => e.stopPropagation()}
        >
          {label}
        </Button>
      </Menu.Target>
      {/* Clicks in the portal still bubble through React to the row below: keep them here. */}
      {/* A menu may hold only items (axe: aria-required-children): the heading is for the eye, its words are the menu's name. */}
      <Menu.Dropdown data-testid="assign-menu" aria-label={`${label}, least loaded first`} onClick={(e) => e.stopPropagation()}>
        <Menu.Label aria-hidden="true">Least loaded first</Menu.Label>
        {options.map((m) => (
          <Menu.Item
            key={m.userId}
            onClick={() => onPick(m.userId)}
            rightSection={
              <Text fz="xs" c={m.overdueCases ? 'red.7' : 'dimmed'} className="tabular">
                {m.openCases} open{m.overdueCases ? ` · ${m.overdueCases} overdue` : ''}
              </Text>
            }
            data-testid="assign-option"
            data-user-id={m.userId}
          >
            <Text fz="sm" fw={500} truncate>
              {m.name}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
