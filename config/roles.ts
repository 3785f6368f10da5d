/** The roles a token can hold (pure: the console shares it). */
export const ROLES = ['viewer', 'responder', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** admin can do everything; responders and approvers can also read. */
export function grants(roles: readonly Role[], role: Role): boolean {
  if (roles.includes('admin') || roles.includes(role)) return true;
  return role === 'viewer' && roles.length > 0;
}
