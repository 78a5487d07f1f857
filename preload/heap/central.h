/*
 * central.h — per-size-class central free lists (Go's mcentral, TCMalloc's
 * CentralFreeList + transfer cache rolled into one).
 *
 * Thread caches come here in batches of mp_class_batch[c] objects: to
 * refill when empty, to flush when too long. Each class has its own lock,
 * its spans with free objects (partial) and its spans with none (full).
 * A span is taken from the page heap when no partial span is left, and
 * given back when its last object comes home — except the class's last
 * partial span, kept so a class that empties and refills does not bounce
 * spans off the page heap.
 *
 * Objects move as singly linked lists through their first word.
 */
#ifndef MP_CENTRAL_H
#define MP_CENTRAL_H

#include <stdint.h>

/* Initialises the class locks; called once by mp_heap_init before any
 * allocation. */
void mp_central_init(void);

/* Takes up to want objects of class cls; *head receives a list linked
 * through the first word (NULL-terminated). Returns how many (0 when the
 * OS refuses memory). */
uint32_t mp_central_fetch(uint32_t cls, uint32_t want, void **head);

/* Gives back n objects of class cls linked through their first word. */
void mp_central_release(uint32_t cls, void *head, uint32_t n);

/* Spans class cls holds and objects out of them (in thread caches or in
 * use), read under the class lock. */
void mp_central_counts(uint32_t cls, uint64_t *spans, uint64_t *objects_out);

/* 1 if obj is on its span's free list (a block already free in central):
 * the slow confirmation for a suspected double free. */
int mp_central_holds_free(uint32_t cls, void *obj);

/* Fork: take / drop every class lock in ascending order. */
void mp_central_lock_all(void);
void mp_central_unlock_all(void);

#endif
