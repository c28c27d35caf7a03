'use client';

import { allowedAnywhere, roleAllows, type Action } from '@sextant/policy';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, query, type Me, type Membership } from './api';

/** The signed-in user; null when signed out. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Me>('/api/auth/me');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 30_000,
  });
}

const grantsOf = (me: Me) => me.memberships.map((m) => ({ nodeId: m.nodeId, role: m.role }));

/** Whether the user may do the action somewhere (menus, "New" buttons), by the shared policy. */
export function canAnywhere(me: Me | null | undefined, action: Action): boolean {
  return !!me && allowedAnywhere({ platformAdmin: me.platformAdmin, grants: grantsOf(me) }, action);
}

/** The memberships whose role allows an action (pages that work on one node at a time). */
export function membershipsAllowing(me: Me | null | undefined, action: Action): Membership[] {
  return me ? me.memberships.filter((m) => roleAllows(m.role, action)) : [];
}

/** Whether the API's policy allows the action on one row (false while asking). */
export function useCan(action: Action, kind: string, id: string | undefined): boolean {
  const answer = useQuery({
    queryKey: ['can', action, kind, id],
    queryFn: () => api<{ allowed: boolean }>(`/api/auth/can${query({ action, kind, id })}`),
    enabled: !!id,
    staleTime: 30_000,
  });
  return answer.data?.allowed ?? false;
}

/** Pages anyone may open signed out. */
export const publicPages = [
  '/sign-in',
  '/sign-up',
  '/verify-email',
  '/forgot-password',
  '/reset-password',
  '/invitations/accept',
];
