// A static SPA: no server rendering, no prerendering. The API is the only owner of data and sessions.
export const ssr = false;
export const prerender = false;
