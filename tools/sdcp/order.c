/* SPDX-License-Identifier: MIT */
/*
 * order.c - messages in cp's order when several workers copy a tree. The walk hands out
 * tickets in its own order: one for each file job, one for each folder's end (its metadata is
 * set after its contents), and one for each stretch of its own work between them. A thread
 * that works for a ticket writes its messages into it; a ticket's messages go out once it and
 * every ticket before it are done. So two files that fail are said in the order cp would say
 * them, whichever worker met its error first. Off (one worker; sdcp-mpi), nothing is held.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sdcp.h"

struct line {
	struct line *next;
	FILE *f;
	size_t n;
	char text[];
};

struct ticket {
	struct ticket *next; /* the next one handed out */
	struct line *head, **tail;
	int done;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ticket *oldest, *newest; /* not printed yet, in the walk's order */
static struct ticket *walk;	       /* the walk's own stretch */
static __thread struct ticket *cur;    /* what this thread works for */
static int on;

static struct ticket *ticket_new(void)
{
	struct ticket *t = xmalloc(sizeof(*t));

	t->next = NULL;
	t->head = NULL;
	t->tail = &t->head;
	t->done = 0;
	if (newest)
		newest->next = t;
	else
		oldest = t;
	newest = t;
	return t;
}

static void write_lines(struct ticket *t)
{
	struct line *l, *next;

	for (l = t->head; l; l = next) {
		next = l->next;
		if (l->f == stderr)
			fflush(stdout);
		fwrite(l->text, 1, l->n, l->f);
		free(l);
	}
	t->head = NULL;
	t->tail = &t->head;
}

/* Under the lock: print the oldest tickets while they are done, and the oldest one's lines. */
static void print_ready(void)
{
	while (oldest) {
		write_lines(oldest);
		if (!oldest->done)
			break;
		struct ticket *t = oldest;

		oldest = t->next;
		if (!oldest)
			newest = NULL;
		free(t);
	}
}

void order_start(void)
{
	on = 1;
	cur = walk = ticket_new();
}

struct ticket *order_take(void)
{
	struct ticket *t, *w;

	if (!on)
		return NULL;
	pthread_mutex_lock(&lock);
	w = walk;
	t = ticket_new();
	walk = ticket_new();
	if (cur == w)
		cur = walk;
	w->done = 1;
	print_ready();
	pthread_mutex_unlock(&lock);
	return t;
}

void order_done(struct ticket *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&lock);
	t->done = 1;
	print_ready();
	pthread_mutex_unlock(&lock);
}

struct ticket *order_enter(struct ticket *t)
{
	struct ticket *prev = cur;

	if (t)
		cur = t;
	return prev;
}

void order_leave(struct ticket *prev)
{
	cur = prev;
}

int order_hold(FILE *f, const char *text, size_t n)
{
	struct line *l;

	if (!on || !cur)
		return 0;
	l = xmalloc(sizeof(*l) + n);
	l->next = NULL;
	l->f = f;
	l->n = n;
	memcpy(l->text, text, n);
	pthread_mutex_lock(&lock);
	*cur->tail = l;
	cur->tail = &l->next;
	if (cur == oldest)
		write_lines(cur);
	pthread_mutex_unlock(&lock);
	return 1;
}

void order_finish(void)
{
	if (!on)
		return;
	pthread_mutex_lock(&lock);
	for (struct ticket *t = oldest; t; t = t->next)
		t->done = 1; /* a ticket left open must not keep its lines back */
	print_ready();
	walk = NULL;
	on = 0;
	pthread_mutex_unlock(&lock);
	cur = NULL;
}
