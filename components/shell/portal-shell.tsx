"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { type ReactNode, useEffect, useId, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { APP_ROOT_ID } from "@/components/ui/dialog";
import { isActive, visibleNavigation } from "./navigation";
import { usePortal } from "./portal-context";

/** The frame of every signed-in page: top bar, navigation (a menu button on narrow screens) and the page itself. */
export function PortalShell({ children }: { children: ReactNode }) {
  const { user } = usePortal();
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutFailed, setSignOutFailed] = useState(false);
  const menuId = useId();
  const sections = visibleNavigation(user.role === "admin");

  // next-auth's own redirect after sign-out goes to NEXTAUTH_URL, which is not the address this browser used when
  // the portal is reached by another name (a LAN address, say). Going to /login by path stays on this browser's origin.
  async function signOutHere() {
    setSigningOut(true);
    setSignOutFailed(false);
    try {
      await signOut({ redirect: false });
    } catch {
      setSigningOut(false);
      setSignOutFailed(true);
      return;
    }
    window.location.assign("/login");
  }

  useEffect(() => setMenuOpen(false), [pathname]);

  const navigation = (
    <nav aria-label="Main" className="space-y-6">
      {sections.map((section) => (
        <div key={section.label}>
          <h2 className="px-3 text-xs font-semibold tracking-wide text-slate-500 uppercase">{section.label}</h2>
          <ul className="mt-2 space-y-1">
            {section.items.map((item) => {
              const active = !item.external && isActive(item, pathname);
              const classes = `block rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-blue-50 text-blue-800" : "text-slate-700 hover:bg-slate-100"}`;
              return (
                <li key={item.href}>
                  {item.external ? (
                    <a href={item.href} className={classes}>
                      {item.label}
                    </a>
                  ) : (
                    <Link href={item.href} className={classes} aria-current={active ? "page" : undefined} onClick={() => setMenuOpen(false)}>
                      {item.label}
                    </Link>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );

  return (
    <div id={APP_ROOT_ID} className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white">
        <div className="flex items-center gap-3 px-4 py-3 lg:px-6">
          <button
            type="button"
            className="rounded-md border border-slate-300 px-2.5 py-1.5 text-sm font-medium lg:hidden"
            aria-expanded={menuOpen}
            aria-controls={menuId}
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
          <Link href="/integrations/webhooks" className="text-base font-semibold text-slate-900">
            WASViking
          </Link>
          <bdi className="hidden truncate text-sm text-slate-500 sm:inline">{user.organizationName}</bdi>
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <div className="hidden min-w-0 text-right text-sm md:block">
              <p className="truncate font-medium text-slate-800">
                <bdi>{user.name}</bdi>
              </p>
              <p className="truncate text-slate-500">{user.email}</p>
            </div>
            <Badge tone={user.role === "admin" ? "blue" : "slate"}>{user.role === "admin" ? "Admin" : "Viewer"}</Badge>
            <Button
              tone="ghost"
              pending={signingOut}
              pendingLabel="Signing out…"
              onClick={() => void signOutHere()}
            >
              Sign out
            </Button>
            {signOutFailed ? (
              <p role="alert" className="text-sm text-red-700">
                Sign-out failed: check the connection and try again
              </p>
            ) : null}
          </div>
        </div>
        {menuOpen ? (
          <div id={menuId} className="border-t border-slate-200 px-4 py-4 lg:hidden">
            {navigation}
          </div>
        ) : null}
      </header>
      <div className="flex flex-1">
        <aside className="hidden w-60 shrink-0 border-r border-slate-200 bg-white px-3 py-6 lg:block">{navigation}</aside>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-6 lg:px-10">
          {children}
        </main>
      </div>
    </div>
  );
}
