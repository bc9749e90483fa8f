// `workers N` on a server: how many processes the program runs in (Node's cluster), at most MAX_WORKERS.

/** The most processes `workers N` may ask for. */
export const MAX_WORKERS = 256;
