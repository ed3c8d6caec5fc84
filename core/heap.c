/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap of small integers (items 0..cap-1) ordered by a 64-bit
 * key each, in the caller's arrays: no allocation. at[k] is the item at
 * place k, pos[item] its place + 1 (0: not in the heap), key[item] its key.
 * The top is the smallest key; setting an item's key moves it up or down
 * in O(log n). The UA keeps its calls' next deadlines in one, so that the
 * next deadline is read and the calls due are found without walking every
 * call slot.
 */
#include "core/core_int.h"

static void put(struct vox_heap *h, size_t k, uint16_t item)
{
	h->at[k] = item;
	h->pos[item] = (uint16_t)(k + 1);
}

static void up(struct vox_heap *h, size_t k)
{
	uint16_t item = h->at[k];
	while (k > 0) {
		size_t parent = (k - 1) / 2;
		if (h->key[h->at[parent]] <= h->key[item])
			break;
		put(h, k, h->at[parent]);
		k = parent;
	}
	put(h, k, item);
}

static void down(struct vox_heap *h, size_t k)
{
	uint16_t item = h->at[k];
	for (;;) {
		size_t c = 2 * k + 1;
		if (c >= *h->n)
			break;
		if (c + 1 < *h->n && h->key[h->at[c + 1]] < h->key[h->at[c]])
			c++;
		if (h->key[item] <= h->key[h->at[c]])
			break;
		put(h, k, h->at[c]);
		k = c;
	}
	put(h, k, item);
}

void vox_heap_set(struct vox_heap *h, uint16_t item, uint64_t key)
{
	size_t k;
	uint16_t moved = item; /* the item whose place may be wrong now */
	h->key[item] = key;
	if (key == UINT64_MAX) { /* out of the heap: the last item fills the hole */
		if (!h->pos[item])
			return;
		k = h->pos[item] - 1u;
		h->pos[item] = 0;
		if (k == --*h->n)
			return;
		moved = h->at[*h->n];
		put(h, k, moved);
	} else if (!h->pos[item]) {
		k = (*h->n)++;
		put(h, k, item);
	} else {
		k = h->pos[item] - 1u;
	}
	up(h, k);
	down(h, h->pos[moved] - 1u);
}
