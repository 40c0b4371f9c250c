/** The back office is a browser application; this entry exposes its API layer for tools and tests. */
export { type BackofficeApi, createBackofficeApi, SAGA_ROUTES } from './api/backoffice-api.js';
export { ApiError, createHttp } from './api/http.js';
export { SECTION_ROLES, sectionsFor } from './auth/roles.js';
