/**
 * What an app may ask a user for, with the words the consent page shows. An access
 * token acts as the user in one space with the intersection of these and the user's
 * role (API.md, "OAuth 2.0 for apps acting for a user").
 */
export const OAUTH_SCOPES = {
  'records:read': 'Read the records of the collections you can read',
  'records:write': 'Create and change records',
  'records:delete': 'Delete records',
  'collections:admin': 'Change the schemas of collections',
  'keys:admin': "Manage the space's API keys",
  'audit:read': "Read the space's audit log",
  openid: 'Know who you are (your account id)',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Keep access when you are not using it (a refresh token)',
} as const;

export type OAuthScope = keyof typeof OAUTH_SCOPES;
export const OAUTH_SCOPE_NAMES = Object.keys(OAUTH_SCOPES) as OAuthScope[];
