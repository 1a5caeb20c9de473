/* strmap.h - a hash table from byte strings to pointers.
 *
 * Keys are engine uuids and msg_ids, which come from the network: the hash is SipHash
 * with a random key chosen at startup, so a peer cannot make lookups slow by sending
 * colliding ids. Open addressing with linear probing and backward-shift deletion. */
#ifndef IPPC_STRMAP_H
#define IPPC_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ippc_strmap ippc_strmap_t;

/* Choose the process-wide hash key (from the system's random source). Call once. */
void ippc_strmap_seed(const unsigned char key[16]);

ippc_strmap_t *ippc_strmap_new(void);
/* Frees the table and its key copies, not the values. */
void ippc_strmap_destroy(ippc_strmap_t **m);
size_t ippc_strmap_count(const ippc_strmap_t *m);
void *ippc_strmap_get(const ippc_strmap_t *m, const void *key, size_t len);
/* Insert or replace (the key is copied). Returns 0 / -1 (ENOMEM). */
int ippc_strmap_put(ippc_strmap_t *m, const void *key, size_t len, void *value);
/* The same without copying the key: key must stay valid and unchanged while it is in
 * the table (the value usually holds it), which saves an allocation per entry. */
int ippc_strmap_put_ref(ippc_strmap_t *m, const void *key, size_t len, void *value);
/* Remove a key; returns its value or NULL. */
void *ippc_strmap_remove(ippc_strmap_t *m, const void *key, size_t len);

/* Iteration: `for (size_t i = 0; ippc_strmap_next(m, &i, &k, &klen, &v);)`. The table
 * must not change during the walk. */
bool ippc_strmap_next(const ippc_strmap_t *m, size_t *pos, const char **key, size_t *len, void **value);

#endif
