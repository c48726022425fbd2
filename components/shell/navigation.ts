/**
 * The portal's navigation. A new page appears in the sidebar by adding an
 * item here (and its route under app/(portal)/). Items marked adminOnly are
 * left out for viewers; the page and the API still check the role.
 */
export interface NavigationItem {
  href: string;
  label: string;
  adminOnly?: boolean;
  // Pages outside the signed-in portal, such as the public API reference.
  external?: boolean;
}

export interface NavigationSection {
  label: string;
  items: NavigationItem[];
}

export const NAVIGATION: NavigationSection[] = [
  {
    label: "Integrations",
    items: [
      { href: "/integrations/webhooks", label: "Webhooks" },
      { href: "/integrations/usage", label: "Webhook usage" },
    ],
  },
  {
    label: "Settings",
    items: [
      { href: "/settings/api-keys", label: "API keys", adminOnly: true },
      { href: "/settings/audit-log", label: "Audit log", adminOnly: true },
    ],
  },
  {
    label: "Documentation",
    items: [
      { href: "/docs/api", label: "API reference", external: true },
      { href: "/docs/events", label: "Event catalog", external: true },
    ],
  },
];

/** Returns the sections and items shown to a user of the given role. */
export function visibleNavigation(isAdmin: boolean): NavigationSection[] {
  return NAVIGATION.map((section) => ({ ...section, items: section.items.filter((item) => isAdmin || !item.adminOnly) })).filter(
    (section) => section.items.length > 0,
  );
}

/** Tells whether `pathname` is the item's page or one below it. */
export function isActive(item: NavigationItem, pathname: string): boolean {
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}
